"""Operator accounts for /admin: creation, password checks, sign-in sessions, and the audit log."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .mail.message import normalise_address
from .models import AdminUser, AuditEntry, utcnow
from .operator_models import AdminSession

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # scrypt hashes whatever it is given; a megabyte "password" is a cheap DoS


@cache
def _dummy_hash() -> str:
    """A hash checked when the address is unknown, so a miss costs as much time as a wrong
    password and response times do not tell which addresses have accounts.

    Made on the first sign-in, not at import: scrypt takes ~50 ms, and every command and
    worker that imports this module would pay it (issue 11).
    """
    return generate_password_hash(secrets.token_urlsafe(16))


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
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    row.last_login_at = now or utcnow()
    return row


def session_key(admin: AdminUser) -> str:
    """A digest of the password hash kept with each sign-in: a new password ends old sessions."""
    return hashlib.sha256(admin.password_hash.encode()).hexdigest()[:32]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, admin: AdminUser, *, address: str = "", now: datetime | None = None) -> str:
    """Record a sign-in in the caller's transaction; returns the token for the cookie (kept only hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(AdminSession(admin_id=admin.id, token_hash=_token_hash(token), password_key=session_key(admin),
                             address=address[:64], created_at=now or utcnow()))
    return token


def session_admin(session: Session, token, *, max_age: timedelta, now: datetime | None = None) -> AdminUser | None:
    """The active account a cookie's token signs in: its session not ended, not too old, the password unchanged."""
    if not isinstance(token, str) or not token:
        return None
    row = session.scalar(select(AdminSession).where(AdminSession.token_hash == _token_hash(token)))
    if row is None or row.ended_at is not None or (now or utcnow()) - row.created_at > max_age:
        return None
    admin = session.get(AdminUser, row.admin_id)
    if admin is None or not admin.active or not secrets.compare_digest(session_key(admin), row.password_key):
        return None
    return admin


def end_session(session: Session, token, *, now: datetime | None = None) -> None:
    """Sign out the session this token names, in the caller's transaction."""
    if isinstance(token, str) and token:
        session.execute(update(AdminSession).where(AdminSession.token_hash == _token_hash(token),
                                                   AdminSession.ended_at.is_(None)).values(ended_at=now or utcnow()))


def end_all_sessions(session: Session, admin: AdminUser, *, now: datetime | None = None) -> int:
    """Sign the operator out everywhere (every browser, every copied cookie); returns how many sessions ended."""
    return session.execute(update(AdminSession).where(AdminSession.admin_id == admin.id,
                                                      AdminSession.ended_at.is_(None)).values(ended_at=now or utcnow())).rowcount


def active_sessions(session: Session, admin: AdminUser, *, max_age: timedelta,
                    now: datetime | None = None) -> list[AdminSession]:
    """The operator's sessions that still sign someone in, newest first."""
    since = (now or utcnow()) - max_age
    return list(session.scalars(select(AdminSession).where(
        AdminSession.admin_id == admin.id, AdminSession.ended_at.is_(None), AdminSession.created_at >= since,
        AdminSession.password_key == session_key(admin)).order_by(AdminSession.id.desc())))


def prune_sessions(session: Session, *, before: datetime) -> int:
    """Delete sessions signed in before ``before`` (long expired or ended); returns how many."""
    return session.execute(delete(AdminSession).where(AdminSession.created_at < before)).rowcount


def audit(session: Session, actor: str, action: str, target: str = "", detail: str = "") -> AuditEntry:
    """Record a change in the caller's transaction, so the entry exists exactly when the change does."""
    entry = AuditEntry(actor=actor[:320], action=action[:64], target=str(target)[:255],
                       detail=detail[:4000], at=utcnow())
    session.add(entry)
    return entry


def recent_audit(session: Session, limit: int = 50) -> list[AuditEntry]:
    """The newest audit entries first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
