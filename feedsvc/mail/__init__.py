"""Outgoing mail: building messages (message.py, pure) and delivering them (backends.py)."""
