"""The SMTP sink of the digest benchmark: a process of its own on loopback that accepts every
message and keeps only counts, so the sender's figures are the sender's alone.

    .venv/bin/python bench/smtp_sink.py '{"lifetime": 60}'    # prints {"port": N}; counts when stdin closes
    .venv/bin/python bench/smtp_sink.py '{"lifetime": 60, "delay": 0.02}'   # a relay: 20 ms per message

With ``delay``, it is a relay that takes that long to accept each message (the 250 after DATA
comes ``delay`` seconds late, as from a relay that queues to disk or scans the message), each
connection on its own: N connections can have N messages in the relay at once, so a sender
with N connections gets at most N / delay messages a second. It also counts connections:
how many were open at most at once, and how many messages each carried.
"""
from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).resolve()


class SinkSession(asyncio.Protocol):
    """One SMTP session (RFC 5321) that accepts every message and keeps only counts."""

    def __init__(self, stats: dict):
        self.stats, self.buf, self.in_data, self.scanned = stats, bytearray(), False, 0
        self.carried = 0

    def connection_made(self, transport):
        self.transport = transport
        stats = self.stats
        stats["connections"] += 1
        stats["open"] += 1
        stats["max_open"] = max(stats["max_open"], stats["open"])
        stats["first_at"] = stats["first_at"] or time.monotonic()
        transport.write(b"220 sink.bench ESMTP\r\n")

    def connection_lost(self, exc):
        self.stats["open"] -= 1
        self.stats["per_connection"].append(self.carried)

    def data_received(self, data: bytes):
        self.buf += data
        while True:
            if self.in_data:
                # The terminator may straddle two reads: look back over its length.
                end = self.buf.find(b"\r\n.\r\n", max(0, self.scanned - 4))
                if end < 0:
                    self.scanned = len(self.buf)
                    return
                self._accept(bytes(self.buf[: end + 2]))
                del self.buf[: end + 5]
                self.in_data, self.scanned = False, 0
                if self.stats["delay"]:
                    # The client waits for this reply before its next command (smtplib does
                    # not pipeline), so this connection's next message waits too.
                    asyncio.get_running_loop().call_later(self.stats["delay"], self._accepted)
                else:
                    self._accepted()
                continue
            end = self.buf.find(b"\r\n")
            if end < 0:
                return
            verb = bytes(self.buf[:4]).upper()
            del self.buf[: end + 2]
            self.transport.write(self._reply(verb))
            if verb == b"QUIT":
                self.transport.close()
                return

    def _reply(self, verb: bytes) -> bytes:
        if verb == b"EHLO":
            return b"250-sink.bench\r\n250 8BITMIME\r\n"
        if verb == b"RCPT":
            self.stats["recipients"] += 1
            return b"250 2.1.5 OK\r\n"
        if verb == b"DATA":
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"QUIT":
            return b"221 2.0.0 Bye\r\n"
        return b"250 2.0.0 OK\r\n" if verb in (b"HELO", b"MAIL", b"RSET", b"NOOP") else b"502 5.5.2 No\r\n"

    def _accept(self, content: bytes) -> None:
        stats = self.stats
        if stats["messages"] == 0 and stats["save_first"]:
            Path(stats["save_first"]).write_bytes(content)
        stats["bytes"] += len(content)

    def _accepted(self) -> None:
        stats = self.stats
        stats["messages"] += 1
        self.carried += 1
        stats["last_at"] = time.monotonic()
        stats["first_message_at"] = stats["first_message_at"] or stats["last_at"]
        if not self.transport.is_closing():
            self.transport.write(b"250 2.0.0 Accepted\r\n")


def sink_main(options: dict) -> None:
    """Serve on a free loopback port (printed first) until stdin closes or the lifetime ends."""
    stats = {"connections": 0, "open": 0, "max_open": 0, "per_connection": [], "recipients": 0, "messages": 0,
             "bytes": 0, "first_at": 0.0, "first_message_at": 0.0, "last_at": 0.0,
             "save_first": options.get("save_first"), "delay": options.get("delay", 0.0), "timed_out": False}

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SinkSession(stats), "127.0.0.1", 0)
        print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
        stop = asyncio.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)),
                         daemon=True).start()
        before = resource.getrusage(resource.RUSAGE_SELF)
        try:
            await asyncio.wait_for(stop.wait(), options["lifetime"])
        except TimeoutError:
            stats["timed_out"] = True
        server.close()
        after = resource.getrusage(resource.RUSAGE_SELF)
        stats["cpu_s"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    asyncio.run(serve())
    # Times on the machine's monotonic clock (time.monotonic is CLOCK_MONOTONIC, the same in
    # every process), so a sender can line its own times up with them.
    busy = stats["last_at"] - stats["first_at"]
    stats["busy_s"] = max(busy, 0.0)
    # Share of one core the sink used while messages came in: far below 1, it did not limit.
    stats["cpu_share"] = stats["cpu_s"] / busy if busy > 0 else 0.0
    print(json.dumps(stats), flush=True)


@contextmanager
def sink(lifetime: float, save_first: Path | None = None, delay: float = 0.0):
    """A sink process (a relay taking ``delay`` s per message); yields (port, stats), stats
    filled in once the block has ended."""
    options = {"lifetime": lifetime, "save_first": str(save_first) if save_first else None, "delay": delay}
    proc = subprocess.Popen([sys.executable, str(SCRIPT), json.dumps(options)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    stats: dict = {}
    try:
        port = json.loads(proc.stdout.readline())["port"]
        yield port, stats
    finally:
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    stats.update(json.loads(out.strip().splitlines()[-1]))


if __name__ == "__main__":
    sink_main(json.loads(sys.argv[1]))
