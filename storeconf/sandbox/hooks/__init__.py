"""/v3/hooks: webhooks and the API account's webhook admin settings."""
