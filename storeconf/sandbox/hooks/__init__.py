"""/v3/hooks: webhooks."""
