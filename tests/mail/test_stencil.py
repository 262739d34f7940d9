"""Stencils: a message built once and filled in per recipient is the message build_message makes."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from feedsvc.mail.message import OutgoingMessage, build_message, header_field, list_headers, list_unsubscribe
from feedsvc.mail.stencil import Stencil

from .samples import FROM, NOW, UNSUBSCRIBE_MAILTO

UNSUB, PREFS = "%%UNSUBSCRIBE_URL%%", "%%PREFERENCES_URL%%"
FIELDS = ("To", "Message-ID", "Date", "List-Unsubscribe")
LIST_ID = "daily.news.example.org"


def boundaryless(data: bytes) -> bytes:
    """The message with its MIME boundary (random per build) made one."""
    return re.sub(rb"===============\d+==", b"BOUNDARY", data)


def message(to: str, message_id: str, unsubscribe: str, preferences: str, *, text: str, html: str | None,
            now=NOW, fill: bool = True) -> OutgoingMessage:
    """A digest as the old path built it: the links put in the bodies, then the email package."""
    if fill:
        text = text.replace(UNSUB, unsubscribe).replace(PREFS, preferences)
        html = html and html.replace(UNSUB, str(escape(unsubscribe))).replace(PREFS, str(escape(preferences)))
    return OutgoingMessage(to=to, subject="江岸新闻每日摘要 · Daily", text=text, html=html, from_addr=FROM,
                           reply_to="editors@news.example.org", message_id=message_id,
                           headers=list_headers(LIST_ID, unsubscribe, UNSUBSCRIBE_MAILTO))


def stencil_of(text: str, html: str | None) -> Stencil:
    first = message("first.reader@example.com", "<first@news.example.org>", "https://news.example.org/u/first",
                    "https://news.example.org/p/first", text=text, html=html, fill=False)
    return Stencil.from_message(build_message(first, now=NOW), fields=FIELDS, placeholders=(UNSUB, PREFS))


def filled(stencil: Stencil, to: str, message_id: str, unsubscribe: str, preferences: str, now=NOW) -> bytes:
    raw = {UNSUB: unsubscribe, PREFS: preferences}
    return stencil.fill(
        {"To": to, "Message-ID": message_id, "Date": format_datetime(now.astimezone(timezone.utc)),
         "List-Unsubscribe": list_unsubscribe(unsubscribe, UNSUBSCRIBE_MAILTO)},
        {"plain": raw, "html": {key: str(escape(value)) for key, value in raw.items()}},
    )


def expected(to, message_id, unsubscribe, preferences, *, text, html, now=NOW) -> bytes:
    return build_message(message(to, message_id, unsubscribe, preferences, text=text, html=html), now=now).as_bytes()


TEXT = "今日要闻\n\n" + "江城地铁五号线今日通车。Harbour council approves night-ferry trial.\n" * 40 + \
       f"Unsubscribe: {UNSUB}\nPreferences: {PREFS}\n"
HTML = "<html><body>" + "<p>江城地铁五号线今日通车。</p>\n" * 60 + \
       f'<p><a href="{UNSUB}">Unsubscribe</a> · <a href="{PREFS}">Preferences</a></p></body></html>\n'


@pytest.mark.parametrize(("to", "message_id", "unsubscribe", "preferences"), [
    ("li.lei@reader.example.com", "<0123abcd@news.example.org>", "https://news.example.org/unsubscribe/a.b-c_d",
     "https://news.example.org/preferences/x?a=1&b=\"2\"&c='3'"),
    # Longer than a line: the address cannot be folded, the URL list folds between its URIs.
    ("a" * 64 + "@" + "b" * 63 + ".reader.example.com", "<" + "c" * 80 + "@news.example.org>",
     "https://news.example.org/unsubscribe/" + "t" * 400, "https://news.example.org/preferences/" + "p" * 300),
    # Not as the subscribe form stores it: the email package writes these, as before.
    ("Li.Lei@Reader.Example.COM", "<x@news.example.org>", "https://news.example.org/u/1", "https://news.example.org/p/1"),
    ("李雷 <li.lei@reader.example.com>", "<y@news.example.org>", "https://news.example.org/u/2",
     "https://news.example.org/p/2"),
])
def test_filled_stencil_is_the_email_package_message(to, message_id, unsubscribe, preferences):
    stencil = stencil_of(TEXT, HTML)
    later = NOW + timedelta(hours=1, seconds=7)
    got = filled(stencil, to, message_id, unsubscribe, preferences, now=later)
    assert boundaryless(got) == boundaryless(expected(to, message_id, unsubscribe, preferences, text=TEXT,
                                                      html=HTML, now=later))
    parsed = email.message_from_bytes(got, policy=email.policy.default)
    assert not [d for part in parsed.walk() for d in part.defects]
    assert unsubscribe in parsed.get_body(("plain",)).get_content()
    assert str(escape(preferences)) in parsed.get_body(("html",)).get_content()


def test_a_text_only_message_and_a_part_without_placeholders():
    for text, html in ((TEXT, None), (TEXT, "<p>no links here</p>")):
        stencil = stencil_of(text, html)
        args = ("li.lei@reader.example.com", "<z@news.example.org>", "https://news.example.org/u/3",
                "https://news.example.org/p/3")
        assert boundaryless(filled(stencil, *args)) == boundaryless(expected(*args, text=text, html=html))


def test_nothing_of_the_first_recipient_stays_in_the_stencil():
    stencil = stencil_of(TEXT, HTML)
    got = filled(stencil, "other@example.net", "<other@news.example.org>", "https://news.example.org/u/other",
                 "https://news.example.org/p/other")
    assert b"first" not in got


def test_a_field_value_no_header_may_hold_is_refused():
    stencil = stencil_of(TEXT, HTML)
    with pytest.raises(ValueError, match="line break"):
        filled(stencil, "li.lei@reader.example.com\r\nBcc: all@example.com", "<a@news.example.org>",
               "https://news.example.org/u/1", "https://news.example.org/p/1")
    with pytest.raises(ValueError, match="message id"):
        filled(stencil, "li.lei@reader.example.com", "no angle brackets", "https://news.example.org/u/1",
               "https://news.example.org/p/1")
    with pytest.raises(ValueError):
        filled(stencil, "not an address", "<a@news.example.org>", "https://news.example.org/u/1",
               "https://news.example.org/p/1")


def test_header_field_writes_plain_values_as_the_email_package_does():
    values = {"To": "reader0@example.com", "Message-ID": "<abc@news.example.org>",
              "Date": format_datetime(NOW.astimezone(timezone.utc)), "List-Unsubscribe": "<https://x.example/u>"}
    msg = build_message(OutgoingMessage(to=values["To"], subject="s", text="t", from_addr=FROM,
                                        message_id=values["Message-ID"],
                                        headers={"List-Unsubscribe": values["List-Unsubscribe"]}), now=NOW)
    for name, value in values.items():
        line = re.search(rb"(?m)^" + name.encode() + rb": .*\r\n", msg.as_bytes()).group(0)
        assert header_field(name, value) == line


# Where the placeholders fall decides where a body is cut (every 57 bytes a base64 line):
# before the first line, on a line's edge, inside a line, in the last line; and links of any
# length and escaping (no quote or bracket in List-Unsubscribe), with any script around them.
filler = st.text(alphabet=st.sampled_from("ab 中文。\n&<>\"'é🙂"), max_size=400)
def url(query_alphabet: str):
    return st.builds(lambda path, query: f"https://news.example.org/{path}?{query}",
                     st.text(alphabet="abcXYZ019-._~/", max_size=300), st.text(alphabet=query_alphabet, max_size=40))


@settings(derandomize=True, database=None, deadline=None, max_examples=40)
@given(before=filler, between=filler, after=filler, unsubscribe=url("abc019=&;'"), preferences=url("abc019=&;\"'<>"),
       local=st.text(alphabet="abcdefghij0123456789.+_-", min_size=1, max_size=64))
def test_any_cut_and_any_link_give_the_email_package_message(before, between, after, unsubscribe, preferences,
                                                             local):
    local = ".".join(part for part in local.split(".") if part) or "x"  # a dot-atom
    to = f"{local}@reader.example.com"
    text = f"{before}{UNSUB}{between}{PREFS}{after}"
    html = f"<p>{before}</p><a href=\"{PREFS}\">{between}</a><a href=\"{UNSUB}\">x</a>{after}"
    stencil = stencil_of(text, html)
    got = filled(stencil, to, "<q@news.example.org>", unsubscribe, preferences)
    want = expected(to, "<q@news.example.org>", unsubscribe, preferences, text=text, html=html)
    assert boundaryless(got) == boundaryless(want)
