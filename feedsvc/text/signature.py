"""Exact- and near-duplicate signatures of article text.

Exact duplicates: `content_hash` is the SHA-256 of the text with case, width,
whitespace and punctuation normalised away.

Near duplicates: MinHash over the set of 5-character shingles of that normalised
text, banded for locality-sensitive hashing. MinHash rather than SimHash-64, because
of what the two estimate on news reprints. A reprint with a different header and
footer, or with one sentence rewritten, keeps a Jaccard similarity of 0.8-0.9 while a
different story on the same topic stays under 0.15 (measured on the test articles).
SimHash maps the same reprints to Hamming distances of 5-10 bits out of 64, and
4 bands of 16 bits only guarantee to bring together pairs at distance 3 or less, so
most reprints would never become candidates. MinHash's banding gives a tunable
S-curve instead: with 20 bands of 3 slots a pair at Jaccard 0.5 shares a band key with
probability 0.93, at 0.6 with 0.99, at 0.1 with 0.02 and an unrelated pair (about 0.01)
with 2e-5, so a database indexing `band_keys` finds candidates without a scan.

The 60 slots come from one-permutation hashing (one hash per shingle; its residue
picks the slot, its high bits compete for the slot's minimum), which costs one 64-bit hash
per shingle instead of 60, all of a text's in one numpy pass; empty slots of short texts
borrow from the next filled slot (rotation densification). The hash is fixed arithmetic on
code points, so signatures are equal across processes and machines whatever
PYTHONHASHSEED is; stores made with the older BLAKE2b signatures are re-signed by
migration 0012.
"""
from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Iterable

import regex

SHINGLE_CHARS = 5
SLOTS = 60
BANDS = 20
ROWS_PER_BAND = SLOTS // BANDS
# Estimated Jaccard similarity at or above which two texts count as the same story. Reprints
# measured 0.81-0.93; on bench/corpus.py's English pages different stories estimated up to
# 0.57 (60 slots are a noisy estimate, and the generator reuses phrases), so 0.5 merged them.
NEAR_DUPLICATE_THRESHOLD = 0.7

_SLOT_BYTES = 4
_EMPTY = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9
_SEED = 0xCBF29CE484222325  # FNV-1a's offset basis and prime: any odd constants would do
_MULTIPLIER = 0x100000001B3
_DROPPED = regex.compile(r"[\p{P}\p{Z}\p{C}\s]+")


def normalize_text(text: str) -> str:
    """Return text NFKC-normalised and case-folded, without whitespace, punctuation or control characters."""
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).casefold())


def content_hash(text: str) -> str:
    """Return the SHA-256 hex digest of the normalised text (the exact-duplicate key)."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def text_keys(text: str) -> tuple[str, bytes]:
    """Return ``(content_hash(text), signature(text))``, normalising the text once."""
    normalized = normalize_text(text)
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest(), _minhash(normalized)


def signature(text: str) -> bytes:
    """Return the MinHash signature of text: SLOTS 32-bit minima, big-endian; b'' for text without letters."""
    return _minhash(normalize_text(text))


def _minhash(normalized: str) -> bytes:
    import numpy as np  # here: parsing a file needs the threshold below, not numpy's start-up

    if not normalized:
        return b""
    hashes = _shingle_hashes(np.frombuffer(normalized.encode("utf-32-le"), dtype="<u4").astype(np.uint64))
    minima = np.full(SLOTS, _EMPTY, dtype=np.uint64)
    np.minimum.at(minima, (hashes % np.uint64(SLOTS)).astype(np.intp), hashes >> np.uint64(32))
    drawn = [int(m) for m in minima]
    filled = list(drawn)
    for slot in range(SLOTS):
        if drawn[slot] == _EMPTY:
            distance = next(d for d in range(1, SLOTS) if drawn[(slot + d) % SLOTS] != _EMPTY)
            # Offsetting by distance keeps a borrowed value from matching a real one
            # in another text by chance; two texts that borrow alike still match.
            filled[slot] = (drawn[(slot + distance) % SLOTS] + distance * _GOLDEN) & _EMPTY
    return np.asarray(filled, dtype=">u4").tobytes()


def _shingle_hashes(points):
    """A 64-bit hash of every SHINGLE_CHARS-long run of code points (the whole text when shorter).

    Computed for all shingles at once in numpy, wrapping uint64 arithmetic with splitmix64's
    finaliser: a hashlib digest per shingle was a third of preparing a text article (issue 11).
    A repeated shingle repeats its hash, which leaves every minimum as the set's.
    """
    import numpy as np

    width = min(SHINGLE_CHARS, len(points))
    count = len(points) - width + 1
    mixed = np.full(count, _SEED, dtype=np.uint64)
    for offset in range(width):
        mixed = (mixed ^ points[offset : offset + count]) * np.uint64(_MULTIPLIER)
    mixed ^= mixed >> np.uint64(30)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(27)
    mixed *= np.uint64(0x94D049BB133111EB)
    return mixed ^ (mixed >> np.uint64(31))


def similarity_from_signatures(a: bytes, b: bytes) -> float:
    """Estimate the Jaccard similarity (0..1) of two texts from their signatures."""
    if not a or not b or len(a) != len(b):
        return 0.0
    same = sum(a[i : i + _SLOT_BYTES] == b[i : i + _SLOT_BYTES] for i in range(0, len(a), _SLOT_BYTES))
    return same / (len(a) // _SLOT_BYTES)


def most_similar(sig: bytes, candidates: Iterable[tuple[int, bytes]], threshold: float) -> int | None:
    """The id of the candidate whose signature is most similar to ``sig``, at ``threshold`` or
    above (on a tie, the last one); None when none is. Scores are ``similarity_from_signatures``'s."""
    import numpy as np

    rows = list(candidates)
    if not rows:
        return None
    slots = len(sig) // _SLOT_BYTES
    comparable = [i for i, (_, other) in enumerate(rows) if sig and len(other) == len(sig)]
    # One comparison over every candidate at once: a store of similar pages gives an article
    # dozens of candidates, and comparing them slot by slot in Python was most of storing it.
    scores = np.zeros(len(rows))
    if comparable:
        others = np.frombuffer(b"".join(rows[i][1] for i in comparable), dtype=">u4").reshape(-1, slots)
        scores[comparable] = (others == np.frombuffer(sig, dtype=">u4")).sum(axis=1) / slots
    best = len(rows) - 1 - int(np.argmax(scores[::-1]))
    return rows[best][0] if scores[best] >= threshold else None


def bands_shared_at(threshold: float) -> int:
    """How many band keys two signatures at least ``threshold`` similar must share: each slot
    that differs spoils at most one band, so a store can skip candidates sharing fewer. At
    least one, which is what makes a candidate at all (below ~0.67 a match may share none)."""
    equal = math.ceil(threshold * SLOTS - 1e-9)
    return max(1, BANDS - (SLOTS - equal))


def band_keys(sig: bytes) -> list[str]:
    """Return the BANDS index keys of a signature; near duplicates very likely share one."""
    width = ROWS_PER_BAND * _SLOT_BYTES
    return [f"{band:02d}{sig[band * width : (band + 1) * width].hex()}" for band in range(len(sig) // width)]
