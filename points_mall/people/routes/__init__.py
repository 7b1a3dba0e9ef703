"""The people endpoints."""
