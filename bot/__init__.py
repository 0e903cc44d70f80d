"""Dossier: a Telegram bot that turns a folder of documents into something a team can talk to.

This package is the core and knows nothing of Telegram; ``handlers/`` adapts it to the Bot API.
"""

__version__ = "0.1.0"
