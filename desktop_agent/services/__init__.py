"""Application services: use cases that combine domain, store and llm (no Qt), and the
only way ui/ and commands/ read or change data. They return the store's plain records."""
