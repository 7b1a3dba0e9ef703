"""What the people endpoints send and get."""
