"""Activities (活动): posting, rotating codes, check-in, attendance, leave and minutes."""
