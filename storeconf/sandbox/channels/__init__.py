"""/v3/channels and /v2/store."""
