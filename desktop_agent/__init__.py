"""Desktop Agent: durable conversations with LLM agents that learn from feedback."""

__version__ = "0.1.0"
APP_NAME = "Desktop Agent"
APP_ID = "desktop-agent"
