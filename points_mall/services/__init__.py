"""The domain: plain functions taking ids and values, raising DomainError."""
