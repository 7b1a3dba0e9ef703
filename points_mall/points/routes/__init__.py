"""The points endpoints."""
