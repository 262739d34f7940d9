"""A DKIM key pair made for a test, and the DNS look-up that publishes it (for dkimpy's verify).

Shared by the mail and delivery tests, like smtpsink.
"""
from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def make_key_pair() -> tuple[bytes, bytes]:
    """(private key PEM, the DNS TXT record publishing its public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def dns_lookup(selector: str, domain: str, record: bytes):
    """A DNS look-up that knows only this selector's record."""
    def lookup(name, timeout=5):
        assert name == f"{selector}._domainkey.{domain}.".encode()
        return record
    return lookup
