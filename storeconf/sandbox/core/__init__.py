"""Shared machinery: HTTP helpers, SQLite, auth gateway, rate limits, faults, queries, validation."""
