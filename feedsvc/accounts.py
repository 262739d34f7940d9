"""Operator accounts for /admin: creation, password checks, and the audit log of who changed what."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .mail.message import normalise_address
from .models import AdminUser, AuditEntry, utcnow

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # scrypt hashes whatever it is given; a megabyte "password" is a cheap DoS
# Checked when the address is unknown, so a miss costs as much time as a wrong password and
# response times do not tell which addresses have accounts.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account that cannot be created: a bad or taken address, a too-short password."""


def normalise_email(email: str) -> str:
    """The address as accounts store it: validated, lower-case; raises ValueError."""
    return normalise_address((email or "").strip()).lower()


def generate_password() -> str:
    """A random password for an account nobody typed one for."""
    return secrets.token_urlsafe(12)


def check_password_rules(password: str) -> None:
    """Raise AccountError when ``password`` is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password may have at most {MAX_PASSWORD} characters")


def create_admin(session: Session, email: str, password: str, *, actor: str = "cli") -> AdminUser:
    """Add an operator with a hashed password, audited in the caller's transaction."""
    try:
        address = normalise_email(email)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    check_password_rules(password)
    if session.scalar(select(AdminUser.id).where(AdminUser.email == address)) is not None:
        raise AccountError(f"an account for {address} exists already")
    row = AdminUser(email=address, password_hash=generate_password_hash(password), active=True,
                    created_at=utcnow())
    session.add(row)
    audit(session, actor, "admin.create", address)
    return row


def any_admin(session: Session) -> bool:
    """True once at least one operator account exists."""
    return bool(session.scalar(select(exists().where(AdminUser.id.is_not(None)))))


def authenticate(session: Session, email: str, password: str, *, now: datetime | None = None) -> AdminUser | None:
    """The active account with this address and password (its last login updated), else None."""
    try:
        address = normalise_email(email)
    except ValueError:
        address = None
    row = session.scalar(select(AdminUser).where(AdminUser.email == address)) if address else None
    if len(password) > MAX_PASSWORD:
        return None
    if row is None or not row.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    row.last_login_at = now or utcnow()
    return row


def session_key(admin: AdminUser) -> str:
    """A digest of the password hash kept in the login cookie: a new password ends old sessions."""
    return hashlib.sha256(admin.password_hash.encode()).hexdigest()[:32]


def logged_in(session: Session, admin_id, key) -> AdminUser | None:
    """The account a login cookie names, if it is active and its password is unchanged."""
    if not isinstance(admin_id, int) or not isinstance(key, str):
        return None
    row = session.get(AdminUser, admin_id)
    if row is None or not row.active or not secrets.compare_digest(session_key(row), key):
        return None
    return row


def audit(session: Session, actor: str, action: str, target: str = "", detail: str = "") -> AuditEntry:
    """Record a change in the caller's transaction, so the entry exists exactly when the change does."""
    entry = AuditEntry(actor=actor[:320], action=action[:64], target=str(target)[:255],
                       detail=detail[:4000], at=utcnow())
    session.add(entry)
    return entry


def recent_audit(session: Session, limit: int = 50) -> list[AuditEntry]:
    """The newest audit entries first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
