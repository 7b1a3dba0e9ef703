"""The points-year endpoints."""
