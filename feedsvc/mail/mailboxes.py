"""Where bounce and complaint messages wait: .eml files, maildir folders, an IMAP mailbox.

Every source yields `MailboxItem`s and lets the caller mark one processed, after which no scan
reads it again.  How each source remembers:

- maildir: the file moves into the subfolder ``.feedsvc-processed`` (Maildir++, so Dovecot
  shows it as a folder) with the S flag.  Not "cur/ with S" alone: a person reading the
  mailbox in a mail client sets S too, and the lower-case info letters are Dovecot's
  keyword slots (dovecot-keywords), so a letter of our own could be misread.
- IMAP: the keyword ``$FeedsvcProcessed`` and \\Seen; the scan searches UNKEYWORD it
  (RFC 3501 section 6.4.4), so a person opening a bounce does not hide it from us.
- files given directly: they are the operator's, on a path that may be read-only, so they
  stay untouched and their key goes into the caller's `ProcessedKeys` store instead: a
  table with a unique key in the integration, `KeyLedger` (a text file) without a database.

The key is a hash of the message, so it is the same whichever source a message is read
from; a store given to any source is also consulted there, which covers a crash between
recording a message and marking it.  A message that cannot be read comes back as an item
with `error` set (one line) and stays where it is.
"""
from __future__ import annotations

import hashlib
import imaplib
import os
import re
import ssl
import stat
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

PROCESSED_KEYWORD = "$FeedsvcProcessed"
PROCESSED_FOLDER = ".feedsvc-processed"
_IMAP_PORTS = {"imaps": 993, "imap": 143}


class MailboxError(Exception):
    """The mailbox itself failed (connection, login, a move refused); str() is one line."""


class ProcessedKeys(Protocol):
    """The caller's record of finished messages; a plain set will do for one run."""

    def __contains__(self, key: object) -> bool: ...

    def add(self, key: str) -> None: ...


@dataclass(frozen=True)
class MailboxItem:
    """One message as a source found it."""

    key: str  # "sha256:…" of the message; stable across sources and scans
    location: str  # for reports: a path, or an RFC 5092 IMAP URL without the password
    raw: bytes | None  # None when it could not be read
    error: str | None = None  # why not, in one line
    ref: object = field(default=None, repr=False, compare=False)  # the source's own handle


def message_key(raw: bytes) -> str:
    """The key of a message: SHA-256 of its bytes with LF line ends.

    IMAP serves CRLF (RFC 3501 section 4.3) where the maildir behind it stores LF; with the
    line ends made alike, one message has one key however it was read.
    """
    return "sha256:" + hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


class KeyLedger:
    """`ProcessedKeys` in a text file, one key a line, for scans without a database."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self._keys = set(self.path.read_text(encoding="ascii").split())
        except FileNotFoundError:
            self._keys = set()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        if key in self._keys:
            return
        if not re.fullmatch(r"[!-~]+", key):
            raise ValueError(f"a key is printable ASCII without spaces: {key!r}")
        with self.path.open("a", encoding="ascii") as ledger:
            ledger.write(key + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())  # recorded before the caller goes on to the next message
        self._keys.add(key)


class Mailbox(ABC):
    """A source of messages; use it as a context manager so connections are closed."""

    @abstractmethod
    def messages(self) -> Iterator[MailboxItem]:
        """Every message not yet processed, in the order the source keeps them."""

    @abstractmethod
    def mark_processed(self, item: MailboxItem) -> None:
        """Never yield `item` again: record its key in the store, then mark or move it."""

    def close(self) -> None:
        """Release what reading needed."""

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class LocalMailbox(Mailbox):
    """Paths on this machine: .eml files, folders of them, and maildir folders."""

    def __init__(self, paths: Iterable[str | os.PathLike], processed: ProcessedKeys | None):
        self.paths = [Path(p) for p in paths]
        self.processed = processed

    def messages(self) -> Iterator[MailboxItem]:
        for path in self.paths:
            if _is_maildir(path):
                for sub in ("new", "cur"):
                    # Not tmp/: a file there is still being delivered (the maildir protocol).
                    try:
                        files = sorted((path / sub).iterdir())
                    except OSError as exc:
                        raise MailboxError(f"{path / sub}: {_os_error(exc)}") from exc
                    yield from self._files(files, maildir=path)
            elif path.is_dir():
                # Symbolic links are not followed out of a folder scan (our drop-folder rule).
                yield from self._files(sorted(path.glob("*.eml")), follow=False)
            else:
                yield from self._files([path], follow=True)

    def _files(self, files: list[Path], *, maildir: Path | None = None,
               follow: bool = False) -> Iterator[MailboxItem]:
        for path in files:
            if path.name.startswith("."):
                continue
            try:
                info = path.stat() if follow else path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    raise OSError("not a regular file" if follow or not path.is_symlink()
                                  else "a symbolic link, not followed")
                raw = path.read_bytes()
            except FileNotFoundError:
                if maildir is not None:
                    continue  # moved since the listing (a client's new/ -> cur/, another scan)
                yield MailboxItem(f"unreadable:{path}", str(path), None, "No such file or directory")
                continue
            except OSError as exc:
                yield MailboxItem(f"unreadable:{path}", str(path), None, _os_error(exc))
                continue
            item = MailboxItem(message_key(raw), str(path), raw, ref=(maildir, path))
            if self.processed is not None and item.key in self.processed:
                if maildir is not None:
                    self.mark_processed(item)  # recorded before a crash, never moved: finish it
                continue
            yield item

    def mark_processed(self, item: MailboxItem) -> None:
        maildir, path = item.ref
        if maildir is None and self.processed is None:
            raise ValueError("a file given directly can only be marked in a ProcessedKeys store")
        if self.processed is not None and item.key not in self.processed:
            self.processed.add(item.key)
        if maildir is not None:
            _move_to_processed(maildir, path)


class ImapMailbox(Mailbox):
    """One IMAP folder, over implicit TLS (imaps), STARTTLS, or plain on a trusted network."""

    def __init__(self, host: str, port: int | None = None, *, username: str, password: str,
                 folder: str = "INBOX", security: str = "tls",
                 ssl_context: ssl.SSLContext | None = None, timeout: float = 30.0,
                 processed: ProcessedKeys | None = None):
        if security not in ("tls", "starttls", "none"):
            raise ValueError("security must be tls, starttls or none")
        if not folder.isascii():
            # RFC 3501 section 5.1.3 would want modified UTF-7; we have no need of it yet.
            raise ValueError("the IMAP folder name must be ASCII")
        self.host, self.username, self.folder = host, username, folder
        self.port = port or _IMAP_PORTS["imaps" if security == "tls" else "imap"]
        self.security, self.timeout, self.processed = security, timeout, processed
        self._password = password
        # imaplib checks no certificate without a context, so always give it a verifying one.
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._imap: imaplib.IMAP4 | None = None
        self._uidvalidity = ""

    def __repr__(self) -> str:
        return f"<ImapMailbox {self.username}@{self.host}:{self.port}/{self.folder}>"

    def open(self) -> None:
        """Connect, log in and select the folder; MailboxError says why not, in one line."""
        if self._imap is not None:
            return
        where = f"{self.host}:{self.port}"
        try:
            if self.security == "tls":
                imap = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.ssl_context,
                                         timeout=self.timeout)
            else:
                imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP {where}: cannot connect: {_one_line(exc)}") from exc
        try:
            if self.security == "starttls":
                imap.starttls(ssl_context=self.ssl_context)
            imap.login(self.username, self._password)
            typ, data = imap.select(_quote(self.folder))
            if typ != "OK":
                raise MailboxError(f"cannot open folder {self.folder}: {_one_line(data)}")
            # RFC 3501 section 7.1: without PERMANENTFLAGS every flag may be stored; with it,
            # \* says new keywords may be.
            flags = b" ".join(x for x in imap.response("PERMANENTFLAGS")[1] if x)
            if flags and b"\\*" not in flags and PROCESSED_KEYWORD.encode() not in flags:
                raise MailboxError(f"folder {self.folder} does not allow the keyword "
                                   f"{PROCESSED_KEYWORD} (PERMANENTFLAGS {flags.decode()})")
            self._uidvalidity = (imap.response("UIDVALIDITY")[1][0] or b"").decode()
        except (OSError, imaplib.IMAP4.error, MailboxError) as exc:
            _logout(imap)
            raise MailboxError(f"IMAP {where} as {self.username}: {_one_line(exc)}") from exc
        self._imap = imap

    def messages(self) -> Iterator[MailboxItem]:
        self.open()
        uids = self._command("UID SEARCH", "SEARCH", "UNDELETED", "UNKEYWORD", PROCESSED_KEYWORD)
        for uid in b" ".join(x for x in uids if x).split():
            uid = uid.decode()
            location = (f"imap://{self.username}@{self.host}:{self.port}/{self.folder}"
                        f";UIDVALIDITY={self._uidvalidity}/;UID={uid}")
            ref = (self._uidvalidity, uid)
            # BODY.PEEK: reading sets no \Seen (RFC 3501 section 6.4.5); only marking does.
            try:
                typ, data = self._imap.uid("FETCH", uid, "(BODY.PEEK[])")
            except (OSError, imaplib.IMAP4.error) as exc:
                raise MailboxError(f"IMAP UID FETCH: {_one_line(exc)}") from exc
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if typ != "OK" or raw is None:
                yield MailboxItem(f"unreadable:{location}", location, None,
                                  f"IMAP FETCH failed: {_one_line(data)}", ref=ref)
                continue
            item = MailboxItem(message_key(raw), location, raw, ref=ref)
            if self.processed is not None and item.key in self.processed:
                self.mark_processed(item)
                continue
            yield item

    def mark_processed(self, item: MailboxItem) -> None:
        self.open()
        uidvalidity, uid = item.ref
        if uidvalidity != self._uidvalidity:
            # RFC 3501 section 2.3.1.1: the UIDs of another UIDVALIDITY name other messages.
            raise MailboxError(f"{item.location}: the folder's UIDVALIDITY changed; scan again")
        if self.processed is not None and item.key not in self.processed:
            self.processed.add(item.key)
        self._command("UID STORE", "STORE", uid, "+FLAGS.SILENT", f"({PROCESSED_KEYWORD} \\Seen)")

    def _command(self, name: str, command: str, *args: str) -> list:
        try:
            typ, data = self._imap.uid(command, *args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP {name}: {_one_line(exc)}") from exc
        if typ != "OK":
            raise MailboxError(f"IMAP {name}: {_one_line(data)}")
        return data

    def close(self) -> None:
        if self._imap is not None:
            _logout(self._imap)
            self._imap = None


def open_paths(paths: Iterable[str | os.PathLike], processed: ProcessedKeys) -> LocalMailbox:
    """The messages at `paths`: .eml files, folders of .eml files, maildir folders."""
    return LocalMailbox(paths, processed)


def open_mailbox_url(url: str, *, processed: ProcessedKeys | None = None,
                     ssl_context: ssl.SSLContext | None = None) -> Mailbox:
    """The mailbox a FEEDSVC_BOUNCE_MAILBOX URL names.

    ``imaps://user:pass@host[:port]/INBOX``, ``imap://…`` (``?starttls=1`` to require it;
    without, the password crosses the network in clear), ``maildir:///path``.  Also
    ``?timeout=30`` for IMAP.  Raises ValueError for a URL it cannot use; the message never
    repeats the password.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    params = {name: values[-1] for name, values in query.items()}
    if parts.scheme == "maildir":
        if parts.netloc not in ("", "localhost") or params:
            raise ValueError("a maildir URL is maildir:///absolute/path, nothing more")
        path = Path(unquote(parts.path))
        if not _is_maildir(path):
            raise ValueError(f"{path} is not a maildir (it needs cur/ and new/)")
        return LocalMailbox([path], processed)
    if parts.scheme not in _IMAP_PORTS:
        raise ValueError("the bounce mailbox URL must start with imaps://, imap:// or maildir://")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"the bounce mailbox URL has a bad port: {exc}") from None
    if not parts.hostname or parts.username is None or parts.password is None:
        raise ValueError(f"an IMAP URL needs {parts.scheme}://user:password@host/folder")
    starttls = params.pop("starttls", "0").lower() in ("1", "true", "yes", "on")
    try:
        timeout = float(params.pop("timeout", "30"))
    except ValueError:
        raise ValueError("timeout must be a number of seconds") from None
    if params:
        raise ValueError(f"unknown bounce mailbox URL parameter(s): {', '.join(sorted(params))}")
    if parts.scheme == "imaps" and starttls:
        raise ValueError("imaps:// is TLS from the start; starttls=1 belongs to imap://")
    security = "tls" if parts.scheme == "imaps" else ("starttls" if starttls else "none")
    return ImapMailbox(parts.hostname, port, username=unquote(parts.username),
                       password=unquote(parts.password),
                       folder=unquote(parts.path.lstrip("/")) or "INBOX", security=security,
                       ssl_context=ssl_context, timeout=timeout, processed=processed)


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _move_to_processed(maildir: Path, path: Path) -> None:
    folder = maildir / PROCESSED_FOLDER
    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "maildirfolder").touch()  # Maildir++: this is a subfolder, not a second root
    unique, _, flags = path.name.partition(":2,")
    # Maildir: the flags after ":2," in ASCII order; S is "seen".
    target = folder / "cur" / f"{unique}:2,{''.join(sorted(set(flags) | {'S'}))}"
    try:
        os.rename(path, target)  # one directory entry to another: atomic on one file system
    except FileNotFoundError:
        if not target.exists():
            raise MailboxError(f"{path}: gone before it could be marked processed") from None
    except OSError as exc:
        raise MailboxError(f"{path}: cannot move it to {PROCESSED_FOLDER}: {_os_error(exc)}") from exc


def _quote(folder: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./-]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


def _os_error(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _one_line(value: object) -> str:
    if isinstance(value, list):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = " ".join(str(value).split())
    # imaplib puts the server's bytes in its exceptions as they are: "b'[AUTHENTICATIONFAILED] …'".
    text = re.sub(r"""^b(['"])(.*)\1$""", r"\2", text)
    return text or "no reason given"
