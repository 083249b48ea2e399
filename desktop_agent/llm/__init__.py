"""The OpenAI-compatible provider behind one small interface."""
