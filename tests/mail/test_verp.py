"""VERP return addresses: round trips, case folding, the 64-character limit, forged tokens."""
from __future__ import annotations

import base64
import re

import pytest

from feedsvc.mail.verp import (
    MAC_BYTES,
    MAX_LOCAL_PART,
    _mac,
    make_verp_address,
    make_verp_token,
    parse_verp_address,
    parse_verp_token,
    split_verp_address,
)

KEY = "feedsvc-test-verp-key"
BOUNCES = "bounces@news.example.org"


@pytest.mark.parametrize("delivery_id", [0, 1, 255, 256, 4021, 2**31, 2**63 + 5, 2**64 - 1])
def test_round_trip(delivery_id):
    address = make_verp_address(BOUNCES, delivery_id, KEY)
    local = address.partition("@")[0]
    assert re.fullmatch(r"bounces\+[a-z2-7]+", local)
    assert len(local) <= MAX_LOCAL_PART
    assert address.endswith("@news.example.org")
    assert parse_verp_address(address, BOUNCES, KEY) == delivery_id


def test_tokens_are_short():
    # 8 bytes of id and 8 of MAC at most: 26 base32 characters.
    assert len(make_verp_token(2**64 - 1, KEY)) == 26
    assert len(make_verp_token(4021, KEY)) == 16


def test_survives_an_mta_that_folds_case():
    address = make_verp_address(BOUNCES, 4021, KEY)
    assert parse_verp_address(address.upper(), BOUNCES, KEY) == 4021
    assert parse_verp_address(f"<{address.title()}>", BOUNCES.upper(), KEY) == 4021


def test_the_key_and_bytes_key_agree():
    assert make_verp_token(7, KEY) == make_verp_token(7, KEY.encode())


def test_another_key_is_rejected():
    token = make_verp_token(4021, KEY)
    assert parse_verp_token(token, "another key") is None


def test_every_altered_character_is_rejected():
    token = make_verp_token(4021, KEY)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    for i, char in enumerate(token):
        for other in alphabet:
            if other != char:
                altered = token[:i] + other + token[i + 1:]
                assert parse_verp_token(altered, KEY) is None, altered


@pytest.mark.parametrize("token", [
    "", "a", "bounces", "0000000000000000", "b62uo7iwnld4dsi", "b62uo7iwnld4dsikk",
    "b62uo7iwnld4dsik" * 3, "b62uo7iwnld4dsi!", "b62uo7iwnld4dsi k",
])
def test_malformed_tokens_are_rejected(token):
    assert make_verp_token(4021, KEY) == "b62uo7iwnld4dsik"  # the token these are made from
    assert parse_verp_token(token, KEY) is None


def _encode(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").lower()


def _decode(token: str) -> bytes:
    return base64.b32decode(token.upper() + "=" * (-len(token) % 8))


def test_a_forged_id_with_a_copied_mac_is_rejected():
    one, two = _decode(make_verp_token(4021, KEY)), _decode(make_verp_token(4022, KEY))
    # The id of one genuine token with the MAC of another.
    assert parse_verp_token(_encode(two[:-MAC_BYTES] + one[-MAC_BYTES:]), KEY) is None
    assert parse_verp_token(_encode(one), KEY) == 4021


def test_spare_bits_are_not_a_second_spelling():
    # 10 bytes take 16 base32 characters with no spare bits; 9 bytes (a one-byte id) leave 3.
    token = make_verp_token(7, KEY)
    last = "abcdefghijklmnopqrstuvwxyz234567".index(token[-1])
    twin = token[:-1] + "abcdefghijklmnopqrstuvwxyz234567"[last ^ 1]
    assert _decode(twin) == _decode(token)  # the same bytes, written differently
    assert parse_verp_token(twin, KEY) is None


def test_id_bytes_with_a_leading_zero_are_not_a_second_spelling():
    # b"\x00\x07" with a valid MAC would be a second token for id 7: refused even when the
    # key holder made it, so one delivery has exactly one token.
    id_bytes = b"\x00\x07"
    forged = _encode(id_bytes + _mac(KEY, id_bytes))
    assert parse_verp_token(forged, KEY) is None
    assert parse_verp_token(make_verp_token(7, KEY), KEY) == 7


def test_split_only_our_own_address():
    token = make_verp_token(4021, KEY)
    assert split_verp_address(f"bounces+{token}@news.example.org", BOUNCES) == token
    assert split_verp_address(f"bounces+{token}@other.example.org", BOUNCES) is None
    assert split_verp_address(f"replies+{token}@news.example.org", BOUNCES) is None
    assert split_verp_address("bounces@news.example.org", BOUNCES) is None
    assert split_verp_address("bounces+@news.example.org", BOUNCES) is None
    assert split_verp_address("li.lei+news@reader.example.com", BOUNCES) is None
    assert split_verp_address("not an address", BOUNCES) is None


def test_another_separator():
    address = make_verp_address(BOUNCES, 99, KEY, separator="-")
    assert address.startswith("bounces-")
    assert parse_verp_address(address, BOUNCES, KEY, separator="-") == 99
    assert parse_verp_address(address, BOUNCES, KEY) is None


def test_a_bounce_address_too_long_for_a_token_is_refused():
    longest = "b" * (MAX_LOCAL_PART - 1 - 26)
    assert make_verp_address(f"{longest}@news.example.org", 2**64 - 1, KEY)
    with pytest.raises(ValueError, match="longer than 64"):
        make_verp_address(f"{longest}b@news.example.org", 2**64 - 1, KEY)


@pytest.mark.parametrize("bounce_address", ["bounces", "@news.example.org", "bounces@",
                                            "bounces+x@news.example.org"])
def test_bad_bounce_addresses(bounce_address):
    with pytest.raises(ValueError):
        make_verp_address(bounce_address, 1, KEY)


@pytest.mark.parametrize("delivery_id", [-1, 2**64, True, 1.0, "1"])
def test_bad_ids(delivery_id):
    with pytest.raises((TypeError, ValueError)):
        make_verp_token(delivery_id, KEY)


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError, match="empty"):
        make_verp_token(1, "")
