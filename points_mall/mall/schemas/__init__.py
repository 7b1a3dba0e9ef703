"""What the mall endpoints send and get."""
