"""The points year (积分年度): declarations, score sheets, 公示 and appeals, settlement, opening balances, the archive."""
