"""Application services: use cases that combine domain, store and llm (no Qt)."""
