"""Mail: building messages (message.py, pure), delivering them (backends.py, outbox.py), and reading
what comes back (bounces.py and verp.py, pure; mailboxes.py; returned.py records it)."""
