"""Readers for other apps' data exports (ChatGPT, Claude.ai, Open WebUI): pure parsers that
turn one exported conversation into the common tree of `tree.ImportedConversation`."""
