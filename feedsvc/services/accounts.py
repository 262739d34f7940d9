"""Operator accounts with this app's configuration: the first one, made on first start."""
from __future__ import annotations

from flask import Flask

from .. import accounts, db
from .outbox import mail_domain


def ensure_first_admin(app: Flask) -> tuple[str, str] | None:
    """Create ``admin@<mail domain>`` with a generated password when no account exists; returns both once."""
    with db.new_session(app) as session, session.begin():
        if accounts.any_admin(session):
            return None
        email, password = f"admin@{mail_domain(app)}", accounts.generate_password()
        accounts.create_admin(session, email, password, actor="bootstrap")
    return email, password
