"""Where data lives, typed settings, and the API key store (no Qt, no peewee)."""
