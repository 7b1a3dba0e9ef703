"""Marshmallow schemas: the request and response contract, and the OpenAPI document."""
