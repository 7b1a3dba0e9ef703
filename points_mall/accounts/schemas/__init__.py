"""What the log-in endpoints send and get."""
