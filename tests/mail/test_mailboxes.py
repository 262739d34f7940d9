"""Bounce sources: .eml files, folders and maildirs on disk, and IMAP against a real Dovecot."""
from __future__ import annotations

import dataclasses
import mailbox
import os
import shutil
from pathlib import Path

import pytest

from feedsvc.mail.bounces import UnreadableMessage, parse_bounce
from feedsvc.mail.mailboxes import (
    PROCESSED_FOLDER,
    PROCESSED_KEYWORD,
    ImapMailbox,
    KeyLedger,
    LocalMailbox,
    MailboxError,
    message_key,
    open_mailbox_url,
    open_paths,
)

from .dovecot import append_messages, inbox_flag_lines


SAMPLES = Path(__file__).parent / "bounce_samples"
BOUNCES = "bounces@news.example.org"
READABLE = ["dsn_user_unknown.eml", "dsn_mailbox_full_delayed.eml", "arf_abuse.eml", "autoreply.eml"]


def copy_samples(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(SAMPLES / name, folder / name)) for name in names]


def make_maildir(root: Path, new: list[str], cur: dict[str, str] | None = None) -> Path:
    """A maildir with the samples `new` in new/ and `cur` (name -> flags) in cur/."""
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(new):
        shutil.copy(SAMPLES / name, root / "new" / f"17950000{i:02d}.M1P1.mx.example")
    for i, (name, flags) in enumerate((cur or {}).items()):
        shutil.copy(SAMPLES / name, root / "cur" / f"17950001{i:02d}.M2P2.mx.example:2,{flags}")
    return root


def scan(source, *, mark_when=lambda item: True) -> tuple[list, list]:
    """Read every message as the scan command will: parse it, mark what was read."""
    done, unreadable = [], []
    with source:
        for item in source.messages():
            if item.error:
                unreadable.append(item)
                continue
            try:
                findings = parse_bounce(item.raw, bounce_address=BOUNCES)
            except UnreadableMessage as exc:
                unreadable.append((item, str(exc)))
                continue
            if mark_when(item):
                source.mark_processed(item)
                done.append((item, findings))
    return done, unreadable


# --- files and folders -------------------------------------------------------------------

def test_files_given_directly_are_recorded_not_moved(tmp_path):
    files = copy_samples(tmp_path / "drop", READABLE)
    before = {p: p.read_bytes() for p in files}
    ledger = KeyLedger(tmp_path / "processed.keys")
    done, unreadable = scan(open_paths(files, ledger))
    assert [item.location for item, _ in done] == [str(p) for p in files]
    assert not unreadable
    assert {p: p.read_bytes() for p in files} == before  # the operator's files, untouched
    # A second scan, with the ledger read back from its file, finds nothing new.
    again, _ = scan(open_paths(files, KeyLedger(tmp_path / "processed.keys")))
    assert again == []


def test_a_folder_of_eml_files(tmp_path):
    folder = tmp_path / "drop"
    copy_samples(folder, ["arf_abuse.eml", "dsn_user_unknown.eml"])
    (folder / "notes.txt").write_text("not a message file")
    (folder / ".hidden.eml").write_bytes((SAMPLES / "exim_failed.eml").read_bytes())
    outside = copy_samples(tmp_path / "elsewhere", ["qmail_failed.eml"])[0]
    (folder / "link.eml").symlink_to(outside)
    (folder / "folder.eml").mkdir()
    items = list(open_paths([folder], set()).messages())
    assert [(Path(i.location).name, i.error) for i in items] == [
        ("arf_abuse.eml", None),
        ("dsn_user_unknown.eml", None),
        ("folder.eml", "not a regular file"),
        ("link.eml", "a symbolic link, not followed"),
    ]


def test_a_missing_path_is_one_unreadable_item(tmp_path):
    [item] = open_paths([tmp_path / "nowhere.eml"], set()).messages()
    assert (item.raw, item.error) == (None, "No such file or directory")
    assert item.location == str(tmp_path / "nowhere.eml")


def test_a_file_given_directly_needs_a_store(tmp_path):
    source = LocalMailbox(copy_samples(tmp_path, ["arf_abuse.eml"]), processed=None)
    [item] = source.messages()
    with pytest.raises(ValueError, match="ProcessedKeys"):
        source.mark_processed(item)


def test_scanning_the_same_folder_twice_counts_nothing_twice(tmp_path):
    # Issue 12's "done when": the unreadable file is reported both times and left in place.
    files = copy_samples(tmp_path / "drop", [*READABLE, "garbage.bin"])
    garbage = files[-1]
    (tmp_path / "drop" / "garbage.eml").write_bytes(garbage.read_bytes())
    ledger = KeyLedger(tmp_path / "processed.keys")
    first, bad_first = scan(open_paths([tmp_path / "drop"], ledger))
    second, bad_second = scan(open_paths([tmp_path / "drop"], ledger))
    kinds = sorted(f.kind for _, findings in first for f in findings)
    assert kinds == ["bounce", "complaint", "transient"]  # the auto-reply reports nothing
    assert len(first) == 4 and second == []
    for bad in (bad_first, bad_second):
        [(item, reason)] = bad
        assert Path(item.location).name == "garbage.eml"
        assert reason == "not a mail message: no header fields at the start"
    assert (tmp_path / "drop" / "garbage.eml").exists()


# --- maildir -------------------------------------------------------------------------------

def test_maildir_moves_what_is_processed_into_a_subfolder(tmp_path):
    root = make_maildir(tmp_path / "Maildir", ["dsn_user_unknown.eml", "arf_abuse.eml"],
                        {"exim_failed.eml": "F", "qmail_failed.eml": "RS"})
    (root / "tmp" / "1795.M9.mx.example").write_bytes(b"Subject: still arriving\n\n")
    done, _ = scan(open_mailbox_url(f"maildir://{root}"))
    assert len(done) == 4
    assert not list((root / "new").iterdir()) and not list((root / "cur").iterdir())
    moved = sorted(p.name for p in (root / PROCESSED_FOLDER / "cur").iterdir())
    assert moved == ["1795000000.M1P1.mx.example:2,S", "1795000001.M1P1.mx.example:2,S",
                     "1795000100.M2P2.mx.example:2,FS", "1795000101.M2P2.mx.example:2,RS"]
    assert (root / "tmp" / "1795.M9.mx.example").exists()  # tmp/ is never read
    # A Maildir++ subfolder that mail software (here Python's) lists as a folder.
    assert mailbox.Maildir(root, create=False).list_folders() == ["feedsvc-processed"]
    assert scan(open_mailbox_url(f"maildir://{root}")) == ([], [])


def test_maildir_leaves_an_unparseable_message_where_it_is(tmp_path):
    root = make_maildir(tmp_path / "Maildir", ["garbage.bin", "dsn_user_unknown.eml"])
    done, unreadable = scan(open_paths([root], set()))
    assert len(done) == 1 and len(unreadable) == 1
    assert [p.name for p in (root / "new").iterdir()] == ["1795000000.M1P1.mx.example"]


def test_a_message_read_by_a_person_is_still_scanned(tmp_path):
    # A mail client moves what it shows to cur/ with S: that is not "processed".
    root = make_maildir(tmp_path / "Maildir", [], {"dsn_user_unknown.eml": "S"})
    done, _ = scan(open_paths([root], set()))
    assert len(done) == 1


def test_maildir_finishes_what_the_store_recorded_before_a_crash(tmp_path):
    root = make_maildir(tmp_path / "Maildir", ["dsn_user_unknown.eml", "arf_abuse.eml"])
    store = {message_key((SAMPLES / "arf_abuse.eml").read_bytes())}
    done, _ = scan(open_paths([root], store))
    assert [Path(item.location).name for item, _ in done] == ["1795000000.M1P1.mx.example"]
    assert len(list((root / PROCESSED_FOLDER / "cur").iterdir())) == 2
    assert len(store) == 2


def test_a_message_moved_during_the_scan_is_not_unreadable(tmp_path):
    # A mail client moving new/ -> cur/ between our listing and our read.
    root = make_maildir(tmp_path / "Maildir", ["dsn_user_unknown.eml", "arf_abuse.eml"])
    items = open_paths([root], set()).messages()
    first = next(items)
    (root / "new" / "1795000001.M1P1.mx.example").rename(root / "cur" / "1795000001.M1P1.mx.example:2,S")
    rest = list(items)
    assert first.error is None
    assert [(Path(i.location).name, i.error) for i in rest] == [("1795000001.M1P1.mx.example:2,S", None)]


def test_maildir_url_must_name_a_maildir(tmp_path):
    with pytest.raises(ValueError, match="not a maildir"):
        open_mailbox_url(f"maildir://{tmp_path}")
    with pytest.raises(ValueError, match="maildir:///absolute/path"):
        open_mailbox_url(f"maildir://mail.example.org{tmp_path}")


# --- keys and the ledger -----------------------------------------------------------------

def test_message_key_ignores_line_ends():
    raw = (SAMPLES / "dsn_user_unknown.eml").read_bytes()
    assert message_key(raw) == message_key(raw.replace(b"\n", b"\r\n"))
    assert message_key(raw) != message_key(raw + b"\n")
    assert message_key(raw).startswith("sha256:")


def test_key_ledger(tmp_path):
    ledger = KeyLedger(tmp_path / "keys")
    assert "sha256:ab" not in ledger
    ledger.add("sha256:ab")
    ledger.add("sha256:ab")
    assert (tmp_path / "keys").read_text() == "sha256:ab\n"
    assert "sha256:ab" in KeyLedger(tmp_path / "keys")
    with pytest.raises(ValueError):
        ledger.add("two words")


# --- URLs ----------------------------------------------------------------------------------

def test_imap_urls():
    source = open_mailbox_url("imaps://bounces%40news:p%40ss%3Aw%2Frd@imap.example.org/Bounces%20In")
    assert isinstance(source, ImapMailbox)
    assert (source.host, source.port, source.username, source.folder, source.security) == (
        "imap.example.org", 993, "bounces@news", "Bounces In", "tls")
    assert source._password == "p@ss:w/rd"
    assert "p@ss" not in repr(source)
    plain = open_mailbox_url("imap://u:p@127.0.0.1:1143?timeout=5")
    assert (plain.port, plain.folder, plain.security, plain.timeout) == (1143, "INBOX", "none", 5.0)
    assert open_mailbox_url("imap://u:p@imap.example.org/INBOX?starttls=1").security == "starttls"
    assert open_mailbox_url("imap://u:p@imap.example.org").port == 143


@pytest.mark.parametrize("url, message", [
    ("pop3://u:p@mail.example.org/", "imaps://, imap:// or maildir://"),
    ("imaps://mail.example.org/INBOX", "user:password@host"),
    ("imaps://u@mail.example.org/INBOX", "user:password@host"),
    ("imaps://u:p@mail.example.org:99999/INBOX", "bad port"),
    ("imaps://u:p@mail.example.org/INBOX?starttls=1", "starttls=1 belongs to imap://"),
    ("imap://u:p@mail.example.org/INBOX?tls=1", "unknown bounce mailbox URL parameter"),
    ("imap://u:p@mail.example.org/INBOX?timeout=soon", "timeout"),
    ("imaps://u:p@mail.example.org/退信", "ASCII"),
])
def test_bad_urls(url, message):
    with pytest.raises(ValueError, match=message) as caught:
        open_mailbox_url(url)
    assert ":p@" not in str(caught.value)


# --- IMAP against Dovecot ------------------------------------------------------------------

def deliver(dovecot, tls_files, names: list[str], flags: str | None = None) -> None:
    """Put samples into the server's INBOX as an MTA would, through IMAP APPEND."""
    append_messages(dovecot, tls_files, [(SAMPLES / name).read_bytes() for name in names], flags)


def server_flags(dovecot, tls_files) -> list[str]:
    """The flags of every message in INBOX, in UID order, as another client sees them."""
    return [line.decode().split("FLAGS (", 1)[1].rstrip(")").replace("\\Recent", "").strip()
            for line in inbox_flag_lines(dovecot, tls_files)]


@pytest.mark.parametrize("scheme, query", [("imaps", ""), ("imap", "?starttls=1"), ("imap", "")])
def test_imap_scan_flags_what_it_processed(dovecot, tls_files, scheme, query):
    deliver(dovecot, tls_files, [*READABLE, "garbage.bin"])
    url = dovecot.url(scheme, query)
    done, unreadable = scan(open_mailbox_url(url, ssl_context=tls_files.client_context()))
    assert len(done) == 4
    assert [reason for _, reason in unreadable] == ["not a mail message: no header fields at the start"]
    item = done[0][0]
    assert item.location.startswith(f"imap://{dovecot.username}@127.0.0.1:") and ";UID=1" in item.location
    assert dovecot.password not in item.location
    flags = server_flags(dovecot, tls_files)
    assert flags[:4] == [f"\\Seen {PROCESSED_KEYWORD}"] * 4
    assert flags[4] == ""  # the garbage: left as it was, not even marked seen (BODY.PEEK)
    # Scanning again: only the garbage, reported again.
    again, still_bad = scan(open_mailbox_url(url, ssl_context=tls_files.client_context()))
    assert again == [] and len(still_bad) == 1


def test_imap_a_message_seen_by_a_person_is_still_scanned(dovecot, tls_files):
    deliver(dovecot, tls_files, ["dsn_user_unknown.eml"], flags="(\\Seen)")
    done, _ = scan(open_mailbox_url(dovecot.url("imaps"), ssl_context=tls_files.client_context()))
    assert len(done) == 1


def test_imap_and_maildir_give_one_message_one_key(dovecot, tls_files):
    deliver(dovecot, tls_files, ["dsn_user_unknown.eml"])
    with open_mailbox_url(dovecot.url("imaps"), ssl_context=tls_files.client_context()) as imap:
        [over_imap] = imap.messages()
    [on_disk] = LocalMailbox([dovecot.maildir], None).messages()  # the server's own files
    assert over_imap.raw != on_disk.raw  # CRLF over IMAP, LF on disk
    assert over_imap.key == on_disk.key == message_key((SAMPLES / "dsn_user_unknown.eml").read_bytes())


def test_imap_finishes_what_the_store_recorded_before_a_crash(dovecot, tls_files):
    deliver(dovecot, tls_files, ["dsn_user_unknown.eml", "arf_abuse.eml"])
    store = {message_key((SAMPLES / "dsn_user_unknown.eml").read_bytes())}
    done, _ = scan(open_mailbox_url(dovecot.url("imaps"), processed=store,
                                    ssl_context=tls_files.client_context()))
    assert [item.location.rsplit(";", 1)[1] for item, _ in done] == ["UID=2"]
    assert server_flags(dovecot, tls_files) == [f"\\Seen {PROCESSED_KEYWORD}"] * 2
    assert len(store) == 2


def test_imap_refuses_a_uid_of_another_uidvalidity(dovecot, tls_files):
    deliver(dovecot, tls_files, ["dsn_user_unknown.eml"])
    with open_mailbox_url(dovecot.url("imaps"), ssl_context=tls_files.client_context()) as source:
        [item] = source.messages()
        stale = dataclasses.replace(item, ref=("1", item.ref[1]))
        with pytest.raises(MailboxError, match="UIDVALIDITY changed"):
            source.mark_processed(stale)
    assert server_flags(dovecot, tls_files) == [""]


def test_imap_wrong_password(dovecot, tls_files):
    url = dovecot.url("imaps").replace("p%40ss", "wrong")
    with pytest.raises(MailboxError) as caught:
        list(open_mailbox_url(url, ssl_context=tls_files.client_context()).messages())
    message = str(caught.value)
    assert "AUTHENTICATIONFAILED" in message and dovecot.username in message
    assert len(message.splitlines()) == 1 and "wrong" not in message and "b'" not in message


def test_imap_untrusted_certificate(dovecot):
    # The default context checks the certificate; the test server's is self-signed.
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        list(open_mailbox_url(dovecot.url("imaps")).messages())


def test_imap_missing_folder(dovecot, tls_files):
    url = dovecot.url("imaps", folder="Bounces")
    with pytest.raises(MailboxError, match="cannot open folder Bounces"):
        list(open_mailbox_url(url, ssl_context=tls_files.client_context()).messages())


def test_imap_nobody_listening(tls_files):
    from smtpsink import free_port

    source = ImapMailbox("127.0.0.1", free_port(), username="u", password="p", security="none",
                         timeout=5)
    with pytest.raises(MailboxError, match="cannot connect"):
        list(source.messages())


def test_the_dovecot_fixture_reads_no_system_configuration(dovecot_server):
    config = dovecot_server.config.read_text()
    assert "/etc/dovecot" not in config and "!include" not in config
    assert "listen = 127.0.0.1" in config
    assert os.path.exists(dovecot_server.log)
