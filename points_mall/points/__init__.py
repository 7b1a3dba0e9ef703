"""Points: the rules (积分细则), the ledger (one writer), awards and corrections, the member's own points."""
