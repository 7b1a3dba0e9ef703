"""What the points-year endpoints send and get."""
