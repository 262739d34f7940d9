"""parse_bounce over messages we wrote in the shapes real MTAs send (tests/mail/bounce_samples/)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsvc.mail.bounce_text import kind_for_status, status_in
from feedsvc.mail.bounces import Finding, Kind, UnreadableMessage, parse_bounce
from feedsvc.mail.verp import parse_verp_token

SAMPLES = Path(__file__).parent / "bounce_samples"
KEY = "feedsvc-test-verp-key"  # the key the samples' VERP tokens were made with
BOUNCES = "bounces@news.example.org"

# file -> [(kind, recipient, status, source)], the delivery id its VERP token names, Message-ID
EXPECTED = {
    "dsn_user_unknown.eml": (
        [(Kind.BOUNCE, "li.lei@reader.example.com", "5.1.1", "dsn")],
        4021, "<177.4021.digest@news.example.org>"),
    "dsn_mailbox_full_delayed.eml": (
        [(Kind.TRANSIENT, "han.meimei@mail.example.net", "4.2.2", "dsn")],
        4022, "<178.4022.digest@news.example.org>"),
    "dsn_several_recipients.eml": (
        [(Kind.BOUNCE, "w.fang@corp.example.com", "5.1.10", "dsn"),  # Original-Recipient
         (Kind.TRANSIENT, "zhao.lei@corp.example.com", "5.2.2", "dsn"),  # mailbox full
         (Kind.TRANSIENT, "qian.hao@corp.example.com", "4.4.7", "dsn")],  # aged out of a queue
        None, "<179.4023.digest@news.example.org>"),
    "dsn_delivered.eml": ([], 4024, None),
    "arf_abuse.eml": (
        [(Kind.COMPLAINT, "zhou.xun@mailbox.example.com", None, "arf")],
        4025, "<181.4025.digest@news.example.org>"),
    "arf_redacted.eml": (
        [(Kind.COMPLAINT, None, None, "arf")],
        4026, "<182.4026.digest@news.example.org>"),
    "exim_failed.eml": (
        [(Kind.BOUNCE, "chen.jing@hosting.example.com", "5.1.1", "exim")],
        4027, "<183.4027.digest@news.example.org>"),
    "exim_delayed.eml": (
        [(Kind.TRANSIENT, "lin.tao@hosting.example.com", "4.3.0", "exim")],
        4028, None),  # a delay warning returns no copy of the message
    "qmail_failed.eml": (
        [(Kind.BOUNCE, "xu.ming@oldmail.example.com", "5.1.1", "qmail"),
         (Kind.BOUNCE, "gao.yan@oldmail.example.com", "5.7.1", "qmail")],
        4029, "<184.4029.digest@news.example.org>"),
    "postfix_no_dsn.eml": (
        # "(expanded from <song.tian@…>)": the address we sent to, not where it forwarded.
        [(Kind.BOUNCE, "song.tian@school.example.edu", "5.1.1", "postfix")],
        4030, "<185.4030.digest@news.example.org>"),
    "plain_550.eml": (
        [(Kind.BOUNCE, "ma.rui@webmail.example.org", "5.1.1", "text")],
        4031, "<186.4031.digest@news.example.org>"),
    "autoreply.eml": ([], 4032, None),
    "human_reply.eml": ([], 4033, None),
}


def read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample(name):
    expected, delivery_id, message_id = EXPECTED[name]
    findings = parse_bounce(read(name), bounce_address=BOUNCES)
    assert [(f.kind, f.recipient, f.status, f.source) for f in findings] == expected
    for finding in findings:
        assert finding.message_id == message_id
        if delivery_id is None:
            assert finding.verp_token is None
        else:
            assert parse_verp_token(finding.verp_token, KEY) == delivery_id
        assert finding.diagnostic and "\n" not in finding.diagnostic


def test_every_sample_is_listed():
    readable = {p.name for p in SAMPLES.iterdir() if p.suffix == ".eml"}
    assert readable == set(EXPECTED)


def test_diagnostics_are_the_remote_reply():
    [dsn] = parse_bounce(read("dsn_user_unknown.eml"))
    # Folded over two lines in the report, one line here; the "smtp;" type dropped.
    assert dsn.diagnostic == ("550 5.1.1 <li.lei@reader.example.com>: Recipient address "
                              "rejected: User unknown in virtual mailbox table")
    [exim] = parse_bounce(read("exim_failed.eml"))
    assert exim.diagnostic == "550 5.1.1 <chen.jing@hosting.example.com>: mailbox unavailable"
    xu, gao = parse_bounce(read("qmail_failed.eml"))
    assert xu.diagnostic == "Sorry, no mailbox here by that name. (#5.1.1)"
    assert gao.diagnostic == "550 5.7.1 <gao.yan@oldmail.example.com>... Relaying denied"
    [complaint] = parse_bounce(read("arf_abuse.eml"))
    assert complaint.diagnostic == "Feedback-Type: abuse (MailboxFBL/2.4)"


def test_without_a_bounce_address_there_is_no_token():
    [finding] = parse_bounce(read("dsn_user_unknown.eml"))
    assert finding.verp_token is None
    assert finding.message_id == "<177.4021.digest@news.example.org>"


def test_a_token_for_another_bounce_address_is_not_ours():
    [finding] = parse_bounce(read("dsn_user_unknown.eml"), bounce_address="bounces@other.example")
    assert finding.verp_token is None


def test_the_token_of_an_arf_report_comes_from_the_returned_message():
    # Complaints go to a fixed feedback address; only Original-Mail-From and the returned
    # Return-Path carry the token.  Without both there is none.
    raw = read("arf_abuse.eml")
    without_mail_from = raw.replace(b"Original-Mail-From: <bounces+b64rslpaxjrc7an7@news.example.org>\n", b"")
    assert parse_bounce(without_mail_from, bounce_address=BOUNCES)[0].verp_token == "b64rslpaxjrc7an7"
    neither = without_mail_from.replace(b"Return-Path: <bounces+b64rslpaxjrc7an7@", b"Return-Path: <x@")
    assert parse_bounce(neither, bounce_address=BOUNCES)[0].verp_token is None


def test_an_mta_that_folds_the_local_part_still_gives_the_token():
    raw = read("exim_failed.eml").replace(b"bounces+b652zeovlpmzxbwz", b"BOUNCES+B652ZEOVLPMZXBWZ")
    [finding] = parse_bounce(raw, bounce_address=BOUNCES)
    assert parse_verp_token(finding.verp_token, KEY) == 4027


@pytest.mark.parametrize("feedback_type, complaint", [
    ("abuse", True), ("fraud", True), ("other", True), ("Abuse", True),
    ("not-spam", False), ("virus", False), ("auth-failure", False),
])
def test_arf_feedback_types(feedback_type, complaint):
    raw = read("arf_abuse.eml").replace(b"Feedback-Type: abuse", f"Feedback-Type: {feedback_type}".encode())
    findings = parse_bounce(raw)
    assert [f.kind for f in findings] == ([Kind.COMPLAINT] if complaint else [])


def test_arf_without_original_rcpt_to_takes_the_returned_to():
    raw = read("arf_abuse.eml").replace(b"Original-Rcpt-To: <zhou.xun@mailbox.example.com>\n", b"")
    [finding] = parse_bounce(raw)
    assert finding.recipient == "zhou.xun@mailbox.example.com"


def test_arf_with_two_original_rcpt_to_fields():
    raw = read("arf_abuse.eml").replace(
        b"Original-Rcpt-To: <zhou.xun@mailbox.example.com>\n",
        b"Original-Rcpt-To: <zhou.xun@mailbox.example.com>\nOriginal-Rcpt-To: zhou.x@mailbox.example.com\n")
    assert [f.recipient for f in parse_bounce(raw)] == ["zhou.xun@mailbox.example.com",
                                                       "zhou.x@mailbox.example.com"]


@pytest.mark.parametrize("action", [b"delivered", b"relayed", b"expanded"])
def test_dsn_actions_that_mean_it_arrived(action):
    raw = read("dsn_user_unknown.eml").replace(b"Action: failed", b"Action: " + action)
    assert parse_bounce(raw) == []


def test_a_delayed_action_is_transient_whatever_its_code():
    raw = read("dsn_user_unknown.eml").replace(b"Action: failed", b"Action: delayed")
    assert [f.kind for f in parse_bounce(raw)] == [Kind.TRANSIENT]


def test_a_failed_dsn_without_a_status_reads_the_diagnostic():
    raw = read("dsn_user_unknown.eml").replace(b"Status: 5.1.1\n", b"")
    [finding] = parse_bounce(raw)
    assert (finding.kind, finding.status) == (Kind.BOUNCE, "5.1.1")


def test_a_dsn_part_without_recipients_falls_back_to_the_notice():
    raw = read("dsn_user_unknown.eml")
    head, rest = raw.split(b"Final-Recipient: rfc822; li.lei@reader.example.com\n", 1)
    cut = head + rest.split(b"\n\n", 1)[1]  # the per-recipient group removed
    [finding] = parse_bounce(cut, bounce_address=BOUNCES)
    assert (finding.kind, finding.recipient, finding.status, finding.source) == (
        Kind.BOUNCE, "li.lei@reader.example.com", "5.1.1", "postfix")
    assert finding.message_id == "<177.4021.digest@news.example.org>"


def test_a_dsn_with_crlf_line_ends_reads_the_same():
    lf = read("dsn_user_unknown.eml")
    assert parse_bounce(lf.replace(b"\n", b"\r\n")) == parse_bounce(lf)


def test_a_quoted_bounce_in_a_reply_is_not_a_bounce():
    # A reader forwarding an Exim bounce to us with "> " before every line.
    lines = read("exim_failed.eml").split(b"\n\n", 1)[1].splitlines()
    body = b"".join(b"> " + line + b"\n" for line in lines)
    raw = (b"From: Li Lei <li.lei@reader.example.com>\nTo: editors@news.example.org\n"
           b"Subject: Fwd: Mail delivery failed\n\nWhat is this?\n\n" + body)
    assert parse_bounce(raw) == []


def test_a_daemon_text_without_a_failure_code_is_not_a_bounce():
    raw = (b"From: MAILER-DAEMON@mx.example.net\nTo: bounces@news.example.org\n"
           b"Subject: Delivery report\n\nYour message to li@reader.example.com was delivered.\n"
           b"We have 550 new subscribers this week.\n")
    assert parse_bounce(raw) == []


def test_plain_text_from_a_person_is_not_read_for_codes():
    raw = read("plain_550.eml").replace(
        b"From: Mail Delivery Subsystem <mailer-daemon@mx.webmail.example.org>",
        b"From: Ma Rui <ma.rui@webmail.example.org>",
    ).replace(b"Subject: Delivery Status Notification (Failure)", b"Subject: about today's digest")
    assert parse_bounce(raw) == []


def test_a_daemon_text_with_only_a_bare_reply_code():
    raw = (b"From: postmaster@mx.example.net\nTo: bounces@news.example.org\n"
           b"Subject: Returned mail: see transcript for details\n\n"
           b"   ----- The following addresses had permanent fatal errors -----\n"
           b"<wu.di@example.net>\n\n   ----- Transcript of session follows -----\n"
           b"... while talking to mx.example.net.:\n>>> RCPT To:<wu.di@example.net>\n"
           b"<<< 550 User unknown\n")
    [finding] = parse_bounce(raw)
    assert (finding.kind, finding.recipient, finding.status) == (Kind.BOUNCE, "wu.di@example.net", "5.0.0")


def test_findings_are_frozen_values():
    [finding] = parse_bounce(read("dsn_user_unknown.eml"))
    assert isinstance(finding, Finding) and hash(finding)
    assert finding.kind == "bounce"  # a StrEnum: stores and compares as its text
    with pytest.raises(AttributeError):
        finding.kind = Kind.TRANSIENT


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty message"),
    (b"   \r\n\r\n", "empty message"),
    ((SAMPLES / "garbage.bin").read_bytes(), "no header fields"),
    ((SAMPLES / "not_mail.txt").read_bytes(), "no header fields"),
])
def test_what_is_not_a_message_is_refused_in_one_line(raw, reason):
    with pytest.raises(UnreadableMessage, match=reason) as caught:
        parse_bounce(raw)
    assert len(str(caught.value).splitlines()) == 1


def test_text_is_a_caller_error():
    with pytest.raises(TypeError):
        parse_bounce("From: a@b\n\nhi")


@pytest.mark.parametrize("text, status", [
    ("550 5.1.1 <a@b>: User unknown", "5.1.1"),
    ("550-5.1.1 The email account", "5.1.1"),
    ("Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1"),
    ("smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound", "5.1.10"),
    ("452 Mailbox full", "4.0.0"),
    ("host mx[192.0.2.25] said: 550 User unknown", "5.0.0"),  # not "2.0.2" of the address
    ("connect to 192.0.2.25: Connection timed out", None),
    ("version 4.96.1 of the software", None),
    ("250 2.0.0 Ok", "2.0.0"),
])
def test_status_codes(text, status):
    assert status_in(text) == status


@pytest.mark.parametrize("status, kind", [
    ("5.1.1", Kind.BOUNCE), ("5.7.1", Kind.BOUNCE), ("5.2.2", Kind.TRANSIENT),
    ("4.2.2", Kind.TRANSIENT), ("4.4.7", Kind.TRANSIENT), ("2.0.0", None), (None, None),
])
def test_kind_for_status(status, kind):
    assert kind_for_status(status) == kind


_DAEMON = b"From: MAILER-DAEMON@mx.example.net\nSubject: Undeliverable\n\n"
_HOSTILE = {
    "a line of dashes": _DAEMON + b"550 5.1.1 user unknown\n" + b"-" * 200_000 + b"\n",
    "letters without an @": _DAEMON + b"550 5.1.1 user unknown " + b"a" * 200_000 + b"\n",
    "a reply line repeated": _DAEMON + b"550 5.1.1 user unknown\n" * 8_000,
    "a Postfix line of @": _DAEMON + b"This is the mail system at host x.\n\n<" + b"@" * 200_000,
    "a long Message-ID": read("dsn_user_unknown.eml").replace(
        b"Message-ID: <177.4021.digest@news.example.org>", b"Message-ID: " + b"a" * 200_000),
    "many recipients": read("dsn_user_unknown.eml").replace(
        b"Final-Recipient:", b"Final-Recipient: rfc822; x@y.example\nAction: failed\n\n" * 5_000
        + b"Final-Recipient:", 1),
}


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_hostile_shapes_take_linear_time(name):
    # Anyone can send a bounce to us: no pattern may go quadratic on what they choose.
    started = time.monotonic()
    parse_bounce(_HOSTILE[name], bounce_address=BOUNCES)
    assert time.monotonic() - started < 3, "a search that backtracks over the whole input"


@settings(deadline=None, derandomize=True, database=None, max_examples=300,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_give_findings_or_one_error(raw):
    try:
        findings = parse_bounce(raw, bounce_address=BOUNCES)
    except UnreadableMessage as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        assert all(isinstance(f, Finding) for f in findings)


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(name=st.sampled_from(sorted(EXPECTED)), cut=st.integers(0, 4000),
       noise=st.binary(max_size=40), at=st.integers(0, 4000))
def test_damaged_samples_never_crash(name, cut, noise, at):
    raw = read(name)[:cut]
    raw = raw[:at] + noise + raw[at:]
    try:
        parse_bounce(raw, bounce_address=BOUNCES)
    except UnreadableMessage:
        pass
