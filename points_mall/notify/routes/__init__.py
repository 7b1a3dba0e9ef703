"""The notification endpoints and the public account's callback."""
