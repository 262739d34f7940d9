"""Signed tokens for the links in our mails: confirm, preferences and unsubscribe.

A token names the subscriber, a digest of their address and its purpose. The purpose is
the signer's salt, so a token made for one purpose never verifies for another; the address
digest binds it to the address, so it cannot be replayed once the row holds another one.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PURPOSES = ("confirm", "preferences", "unsubscribe")


class InvalidToken(ValueError):
    """A token that is forged, expired, for another purpose or for another address."""


@lru_cache(maxsize=16)  # a mailing signs two tokens per reader with the same few serializers
def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(secret, salt=f"feedsvc.{purpose}")


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def make_token(secret: str, purpose: str, subscriber_id: int, email: str) -> str:
    """A URL-safe signed token for ``purpose`` bound to this subscriber and address."""
    return _serializer(secret, purpose).dumps([subscriber_id, _address_digest(email)])


def read_token(secret: str, purpose: str, token: str, *, max_age: int | None = None) -> tuple[int, str]:
    """The (subscriber id, address digest) a valid token names; raises InvalidToken."""
    try:
        subscriber_id, digest = _serializer(secret, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken("this link has expired") from None
    except (BadSignature, ValueError, TypeError):
        raise InvalidToken("this link is not valid") from None
    if not isinstance(subscriber_id, int) or not isinstance(digest, str):
        raise InvalidToken("this link is not valid")
    return subscriber_id, digest


def matches_address(digest: str, email: str) -> bool:
    """True when a token's address digest is this address's."""
    return hmac.compare_digest(digest, _address_digest(email))
