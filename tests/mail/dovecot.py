"""A private Dovecot IMAP server on 127.0.0.1 for the mailbox tests (Debian's dovecot-imapd).

Its own configuration file, passwd-file and maildirs; nothing of /etc/dovecot is read.  One
server serves a test session and each test gets a user of its own, so every test starts from
an empty INBOX without paying for a start and a stop (a stop takes a second or more).

Run as an ordinary user it is Dovecot's "rootless" setup: every process is that user.  Run as
root (containers, CI) Dovecot refuses both to log users in as root and to run its login
processes as root, so it takes the package's own dovenull/dovecot users for those and
``nobody`` for the mail; the files those users must reach then live in a directory of their
own under /tmp, because pytest's tmp_path is private to root (mode 0700).
"""
from __future__ import annotations

import base64
import grp
import imaplib
import hashlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from smtpsink import free_port

PASSWORD = "imap p@ss:w/rd%"  # percent, colon, slash and @ must survive the URL
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
IMAP_BINARIES = ("/usr/lib/dovecot/imap", "/usr/libexec/dovecot/imap")
USERS = 200  # accounts in the passwd-file, one per test that asks


def find_dovecot() -> tuple[str | None, str]:
    """The dovecot binary, or None and what is missing."""
    binary = shutil.which("dovecot", path=SEARCH_PATH)
    if binary is None:
        return None, "dovecot is not installed (apt-get install dovecot-imapd)"
    if not any(Path(p).exists() for p in IMAP_BINARIES):
        return None, "dovecot's imap service is not installed (apt-get install dovecot-imapd)"
    return binary, ""


@dataclass
class ImapUser:
    """One test's account: an empty maildir behind it."""

    server: Dovecot
    username: str
    password: str
    maildir: Path

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def tls_port(self) -> int:
        return self.server.tls_port

    def url(self, scheme: str = "imap", query: str = "", folder: str = "INBOX") -> str:
        port = self.server.tls_port if scheme == "imaps" else self.server.port
        return (f"{scheme}://{quote(self.username, safe='')}:{quote(self.password, safe='')}"
                f"@{self.server.host}:{port}/{folder}{query}")


@dataclass
class Dovecot:
    process: subprocess.Popen
    host: str
    port: int  # plain IMAP, STARTTLS offered
    tls_port: int  # implicit TLS
    config: Path
    log: Path
    runtime: Path
    users: Path
    mail_owner: pwd.struct_passwd | None  # who must own the maildirs, when we are root
    _private_runtime: bool
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_user(self) -> ImapUser:
        """A new account with an empty INBOX."""
        number = next(self._numbers)
        if number > USERS:
            raise RuntimeError(f"the test server has only {USERS} accounts; raise USERS")
        username = f"bounces{number}"
        home = self.runtime / "home" / username
        maildir = home / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        if self.mail_owner is not None:
            for path in (home, maildir, *maildir.iterdir()):
                os.chown(path, self.mail_owner.pw_uid, self.mail_owner.pw_gid)
        return ImapUser(self, username, PASSWORD, maildir)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        # Only the master we started, by its process id; it stops its own children.
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._private_runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)


def start_dovecot(binary: str, tmp_path: Path, cert: str, key: str) -> Dovecot:
    """Start dovecot in the foreground with a configuration of its own; wait until it answers."""
    as_root = os.geteuid() == 0
    if as_root:
        runtime = Path(tempfile.mkdtemp(prefix="feedsvc-dovecot-"))
        runtime.chmod(0o755)
        mail_user = pwd.getpwnam("nobody")
        login_user, internal_user = "dovenull", "dovecot"
    else:
        runtime = tmp_path / "dovecot"
        runtime.mkdir()
        mail_user = pwd.getpwuid(os.getuid())
        login_user = internal_user = mail_user.pw_name
    (runtime / "home").mkdir()
    if as_root:
        os.chown(runtime / "home", mail_user.pw_uid, mail_user.pw_gid)
    users = runtime / "users"
    # Every account is written now: Dovecot looks for changes to a passwd-file at most once a
    # second, so one added during the session might not log in yet.  Hashed, not {PLAIN}:
    # a colon would end the password field.
    digest = base64.b64encode(hashlib.sha256(PASSWORD.encode()).digest()).decode()
    users.write_text("".join(f"bounces{n}:{{SHA256}}{digest}::::{runtime}/home/bounces{n}\n"
                             for n in range(1, USERS + 1)))
    users.chmod(0o644)  # read by the auth process, which runs as the internal user
    port = free_port()
    tls_port = free_port()
    while tls_port == port:  # two probes in a row may be handed the same free port
        tls_port = free_port()
    log = tmp_path / "dovecot.log"
    config = tmp_path / "dovecot.conf"
    # Rootless: no chroot (it needs root) and our own group for the internal processes.
    chroot = "" if as_root else "  chroot =\n"
    rootless = "" if as_root else f"""
default_internal_group = {grp.getgrgid(mail_user.pw_gid).gr_name}
service imap-login {{
  chroot =
}}
"""
    config.write_text(f"""# Written by tests/mail/dovecot.py for one test session; reads nothing else.
protocols = imap
listen = 127.0.0.1
base_dir = {runtime}/run
state_dir = {runtime}/state
instance_name = feedsvc-test-{port}
log_path = {log}
info_log_path = {log}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
# Plain LOGIN is allowed: it listens on loopback only, and the tests try imap:// without TLS.
disable_plaintext_auth = no
auth_mechanisms = plain login
# A test of a wrong password would otherwise slow every later login from 127.0.0.1 (the
# auth penalty; mode 0 on its socket is how Dovecot's documentation turns it off).
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
{chroot}}}
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {mail_user.pw_uid}
last_valid_uid = {mail_user.pw_uid}
mail_location = maildir:~/Maildir
# No statistics: login processes waiting on the stats socket slow a stop to six seconds.
stats_writer_socket_path =
passdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
  default_fields = uid={mail_user.pw_uid} gid={mail_user.pw_gid}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
{rootless}""")
    output = tmp_path / "dovecot.out"
    with output.open("wb") as out:
        process = subprocess.Popen([binary, "-F", "-c", str(config)], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT)
    server = Dovecot(process, "127.0.0.1", port, tls_port, config, log, runtime, users,
                     mail_user if as_root else None, as_root)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"dovecot exited with {process.returncode}:\n"
                               f"{output.read_text(errors='replace')}\n{server.log_tail()}")
        if _answers(port) and _answers(tls_port):
            return server
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"dovecot did not answer on 127.0.0.1:{port} in 20 s:\n{server.log_tail()}")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- what another client does: an MTA delivering, a person looking at the flags --------------

@contextmanager
def signed_in(dovecot: Dovecot, tls_files) -> Iterator[imaplib.IMAP4_SSL]:
    """An IMAPS session as the test account, logged out afterwards whatever happens."""
    imap = imaplib.IMAP4_SSL(dovecot.host, dovecot.tls_port, ssl_context=tls_files.client_context())
    try:
        imap.login(dovecot.username, dovecot.password)
        yield imap
    finally:
        imap.logout()


def append_messages(dovecot: Dovecot, tls_files, messages: Iterable[bytes], flags: str | None = None) -> None:
    """Put messages into INBOX as an MTA would, through IMAP APPEND."""
    with signed_in(dovecot, tls_files) as imap:
        for data in messages:
            typ, answer = imap.append("INBOX", flags, None, data)
            assert typ == "OK", answer


def inbox_flag_lines(dovecot: Dovecot, tls_files) -> list[bytes]:
    """The FETCH (FLAGS) answer line of every message in INBOX, in UID order, read without changing them."""
    with signed_in(dovecot, tls_files) as imap:
        imap.select("INBOX", readonly=True)
        _typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
        return [line for line in data if line]
