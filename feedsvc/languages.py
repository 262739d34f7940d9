"""The interface languages, one list for pages, mails, preferences and feeds (pure).

The list itself is data, ``translations/languages.toml``, beside each language's gettext
catalogue (``translations/<locale>/LC_MESSAGES/messages.po``, compiled to ``.mo`` by
``make setup``), so a translator adds a language without reading Python.
"""
from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations

DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    """One interface language: its code in URLs and preferences, its name, its Babel locale."""

    code: str  # "zh-CN": ?lang=, the cookie, a subscriber's language, <html lang>
    label: str  # how it names itself in the language menus
    locale: str  # Babel's name: "zh_Hans_CN"; the catalogue's folder and the date formats
    opencc: str | None = None  # how Chinese articles are converted for these readers ("t2s", "s2tw")

    @property
    def babel(self) -> Locale:
        """The Babel locale (date formats, plural rules)."""
        return Locale.parse(self.locale)


def N_(message: str) -> str:
    """Mark ``message`` for ``pybabel extract`` where it is translated later (a msgid kept as data)."""
    return message


def translations_dir() -> Path:
    """The folder of languages.toml and the catalogues, in a checkout or an installed wheel."""
    return Path(str(resources.files("feedsvc") / "translations"))


def _load() -> tuple[Language, ...]:
    data = tomllib.loads((translations_dir() / "languages.toml").read_text(encoding="utf-8"))
    return tuple(Language(**entry) for entry in data["language"])


LANGUAGES: tuple[Language, ...] = _load()
CODES: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
DEFAULT = LANGUAGES[0]
BY_CODE = {language.code: language for language in LANGUAGES}


def find(code: str | None) -> Language | None:
    """The language named exactly by ``code`` (any letter case), or None."""
    if not code:
        return None
    return BY_CODE.get(code) or next((lang for lang in LANGUAGES if lang.code.lower() == code.lower()), None)


@lru_cache(maxsize=256)
def match(tag: str) -> Language | None:
    """Ours that best serves a reader asking for ``tag`` (an Accept-Language or BCP 47 tag).

    Babel fills in the likely script (zh-TW is zh_Hant_TW, zh-SG zh_Hans_SG), so a reader is
    matched on language and script first, then on language alone; None when we have neither.
    """
    found = find(tag)
    if found is not None:
        return found
    # BCP 47 extensions and private use (zh-CN-u-ca-chinese) start at a one-letter subtag.
    subtags = list(itertools.takewhile(lambda s: len(s) > 1, tag.replace("_", "-").split("-")))
    try:
        wanted = Locale.parse("_".join(subtags))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    same = [lang for lang in LANGUAGES if lang.babel.language == wanted.language]
    return next((lang for lang in same if lang.babel.script == wanted.script), same[0] if same else None)


def resolve(code: str | None) -> Language:
    """The language for a stored or requested code; the default one when we have no match."""
    return (match(code) if code else None) or DEFAULT


@lru_cache(maxsize=None)
def translations(code: str) -> Translations:
    """The compiled catalogue of the language ``code``; an error naming the fix when it is missing."""
    language = BY_CODE[code]
    path = translations_dir() / language.locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: `make setup` compiles the catalogues (pybabel compile)")
    with path.open("rb") as fh:
        return Translations(fh, domain=DOMAIN)
