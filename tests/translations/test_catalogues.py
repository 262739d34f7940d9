"""The gettext catalogues: complete for every language, nothing of the old catalogue lost,
everything ``pybabel extract`` finds translated, and the compiled .mo as fresh as its .po."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from feedsvc.admin.queries import ARTICLE_STATES
from feedsvc.admin.words import WORDS
from feedsvc.ingest.store import Outcome
from feedsvc.languages import LANGUAGES, translations_dir
from feedsvc.mail_models import ReturnKind
from feedsvc.models import DeliveryKind, DeliveryState, Frequency, ImportOrigin, JobStatus, SubscriberState
from feedsvc.operator_models import TaskState

ROOT = Path(__file__).resolve().parents[2]
OLD = json.loads((Path(__file__).with_name("old_catalogue.json")).read_text(encoding="utf-8"))["messages"]
# In the old catalogue but shown nowhere yet; kept translated for when a page wants it.
KEPT_UNUSED: set[tuple[str | None, str]] = set()
FOLDERS = [translations_dir() / language.locale / "LC_MESSAGES" for language in LANGUAGES]


def catalogue(language):
    with open(translations_dir() / language.locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=language.locale)


def messages(cat):
    return {(m.context, m.id): m for m in cat if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple[str | None, str]]:
    """What ``make messages`` extracts: every msgid of our Python and templates."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-c", "Translators:", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        return {(m.context, m.id) for m in read_po(fh) if m.id}


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.code)
def test_no_message_of_the_old_catalogue_is_lost(language):
    found = messages(catalogue(language))
    for old in OLD:
        message = found.get((old["context"], old["msgid"]))
        assert message is not None and message.string and not message.fuzzy, old["msgid"]
        if language.code == "zh-CN":
            assert message.string == old["zh-CN"]
        if language.code == "en":
            assert message.string == old["msgid"]


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.code)
def test_everything_extracted_is_translated(language, extracted):
    found = messages(catalogue(language))
    missing = [key for key in extracted if key not in found or not found[key].string or found[key].fuzzy]
    assert not missing, f"run `make messages` and translate: {missing}"
    stale = set(found) - extracted - KEPT_UNUSED
    assert not stale, f"in messages.po but used nowhere: {stale}"


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.code)
def test_placeholders_and_html_safety(language):
    cat = catalogue(language)
    assert not [(m.id, errors) for m, errors in cat.check()]
    for message in messages(cat).values():
        # Templates mark a translation safe (Jinja's newstyle gettext); its values are escaped.
        assert not re.search(r'[<>&"]', message.string), message.string
        assert set(re.findall(r"%\(\w+\)\w", message.string)) == set(re.findall(r"%\(\w+\)\w", message.id))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.parent.name)
def test_compiled_catalogue_is_as_fresh_as_its_source(folder):
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    want = {(m.context, m.id): m.string for m in source if m.id and m.string and not m.fuzzy}
    have = {(m.context, m.id): m.string for m in compiled if m.id}
    assert have == want, "messages.mo is older than messages.po: run `make setup`"


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda lang: lang.code)
def test_a_language_folder_is_named_as_babel_names_its_locale(language):
    # Flask-Babel looks catalogues up by str(Locale): zh_CN would be looked for as zh_Hans_CN.
    assert str(Locale.parse(language.locale)) == language.locale
    assert (translations_dir() / language.locale / "LC_MESSAGES" / "messages.po").is_file()


def test_every_state_kind_and_outcome_has_a_word():
    enums = (SubscriberState, Frequency, DeliveryState, DeliveryKind, ImportOrigin, JobStatus, TaskState, ReturnKind)
    values = {str(v) for enum in enums for v in enum}
    values |= {o.value for o in Outcome} | set(ARTICLE_STATES)
    assert values <= set(WORDS)
