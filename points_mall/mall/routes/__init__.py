"""The mall endpoints."""
