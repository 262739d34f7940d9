"""Delivery to a slow relay: a real SMTP server on loopback that takes 20 ms to accept each
message, reached over N = 1, 4 and 8 connections, beside bare smtplib over as many.

    .venv/bin/python bench/bench_relay.py                          # 1,000 subscribers; N = 1, 4, 8
    .venv/bin/python bench/bench_relay.py --subscribers 300 --connections 1,4

One connection to such a relay can carry at most 1 / 20 ms = 50 messages a second, whatever the
sender does; N connections, each waiting on its own message, N × 50 (issue 11: listmonk-style
concurrent connections, goal ≥ 0.8 × N × 50). For each N, a fresh instance of the digest
benchmark's store (bench_digest: 50 articles, the subscribers) is sent by
``feedsvc digest send --all`` with ``FEEDSVC_MAIL_CONNECTIONS=N``; the relay (bench/smtp_sink.py
with a delay) counts the connections it saw, how many were open at once, and when the first and
last message were accepted: that span is the delivery time. The reference sends the same
messages (bench_digest's previews, one per render group) with N threads of bare smtplib, one
connection each, to a fresh relay. A version of feedsvc that sends over one connection shows
it here as "connections used: 1"; nothing in this file needs to change when that changes.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bench_digest
from common import OUT, machine, markdown_table, run_worker, write_json
from smtp_sink import sink

DIGEST = Path(bench_digest.__file__).resolve()
PER_MESSAGE_S = 0.020


def bench_connections(n: int, connections: int, args, now: str) -> dict:
    """Ours and the reference over ``connections`` connections to a fresh relay each."""
    with bench_digest.instance(args) as env, tempfile.TemporaryDirectory(prefix="feedsvc-bench-relay-") as folder:
        setup, groups = bench_digest.prepare(n, env, now, Path(folder))
        timeout = 120 + n * PER_MESSAGE_S * 3
        with sink(timeout + 30, delay=args.delay) as (port, bare_relay):
            bare = run_worker(DIGEST, {"task": "bare", "folder": folder, "port": port, "connections": connections},
                              env=env, timeout=timeout)
        with sink(timeout + 30, delay=args.delay) as (port, relay):
            send = run_worker(DIGEST, {"task": "send", "timers": False},
                              env=bench_digest.mail_env(env, port, connections), timeout=timeout)
    delivered = bench_digest.delivery_figures(send, relay)
    bare_delivered = bench_digest.delivery_figures({"rss_samples": [], "started_at": 0.0}, bare_relay)
    ceiling = connections / args.delay
    sent = (send["messages"] or {}).get("sent", -1)
    return {
        "connections": connections, "subscribers": n, "groups": groups["groups"], "sent": sent,
        "messages_per_s": delivered["messages_per_s"], "delivery_s": delivered["seconds"],
        "build_s": delivered["build_s"], "ceiling_per_s": ceiling, "goal_per_s": 0.8 * ceiling,
        "connections_used": relay["max_open"], "connections_opened": relay["connections"],
        "per_connection": sorted(relay["per_connection"], reverse=True),
        "bare_messages_per_s": bare_delivered["messages_per_s"], "bare_connections_used": bare_relay["max_open"],
        "relay_cpu_share": relay["cpu_share"], "peak_rss_mib": send["peak_rss_mib"],
        "checks": {"command_succeeded": send["exit"] == 0, "relay_received_all": relay["messages"] == sent,
                   "bare_received_all": bare_relay["messages"] == groups["messages"],
                   "articles_shown_is_50": setup["articles_shown"] == 50},
        "load_before": send["load_before"],
    }


def report(rows: list[dict], args) -> str:
    """The Markdown printed on stdout."""
    return "\n".join([
        f"## Delivery to a relay taking {args.delay * 1000:.0f} ms per message, {rows[0]['subscribers']:,} subscribers",
        "",
        markdown_table(["N requested", "connections used", "messages/s", "goal ≥ 0.8 × N × 50", "bare smtplib, N"
                        " connections", "ours ÷ bare", "delivery s", "messages per connection", "checks"],
                       [[r["connections"], r["connections_used"], r["messages_per_s"], r["goal_per_s"],
                         r["bare_messages_per_s"], r["messages_per_s"] / r["bare_messages_per_s"], r["delivery_s"],
                         " / ".join(map(str, r["per_connection"])),
                         "ok" if all(r["checks"].values()) else "FAILED"] for r in rows]),
    ])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/out/relay.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1000, help="messages per run (default 1000)")
    parser.add_argument("--connections", default="1,4,8", help="comma-separated N")
    parser.add_argument("--delay", type=float, default=PER_MESSAGE_S, help="seconds the relay takes per message")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (it is emptied)")
    parser.add_argument("--out", default="relay.json", help="the JSON file, under bench/out/ unless absolute")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    now = (datetime.now(timezone.utc) - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    rows = [bench_connections(args.subscribers, int(c), args, now) for c in args.connections.split(",")]
    data = {"machine": machine(), "now": now, "delay_s": args.delay, "rows": rows}
    path = write_json(args.out, data)
    print(report(rows, args))
    print(f"\nJSON: {path}")
    return 0 if all(all(r["checks"].values()) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
