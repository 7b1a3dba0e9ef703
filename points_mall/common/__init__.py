"""Plumbing every domain uses: transactions, the clock, spreadsheets, storage, column types, shared fields, bearer tokens."""
