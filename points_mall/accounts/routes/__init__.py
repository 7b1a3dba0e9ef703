"""The log-in endpoints."""
