"""Digest benchmark: 50 new articles mailed to N confirmed subscribers through an SMTP sink on
loopback over one connection, beside a bare smtplib loop sending the same messages (the reference).

    .venv/bin/python bench/bench_digest.py                  # 1,000, 10,000 and 100,000 subscribers
    .venv/bin/python bench/bench_digest.py --sizes 1000     # a quick check

Per size, every phase runs in a fresh interpreter on one temporary instance (common.run_worker),
so each peak RSS is the phase's own: setup (articles through the importer, subscribers by bulk
insert); the reference's messages, one per render group, made by the ``feedsvc digest preview``
command; the bare loop; and ``feedsvc digest send --all`` (build the editions, deliver the
outbox) with ``FEEDSVC_MAIL_CONNECTIONS=1``. The sink is a process of its own (bench/smtp_sink.py)
that accepts and discards, counting messages, bytes and its own CPU time, and noting when the
first and the last message arrived: that span is the delivery time, whatever the command does
before it (building the editions).

Nothing here imports the outbox: delivery is measured through the command (its name, options
and output are a contract), so moving the outbox into another module changes no line here. Step
timers (``STEP_TIMERS``) wrap what they find and report what they found. In a full run a
separate 2,000-subscriber instance is sent under cProfile (kept in bench/out/digest-send.prof),
then again under tracemalloc. ``--database-url`` runs against PostgreSQL; the database it names is
emptied (migrated down to base and up) before each size, so give it a throwaway one.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import email
import email.policy
import io
import itertools
import json
import os
import pstats
import random
import re
import smtplib
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import OUT, machine, markdown_table, peak_rss_mib, run_worker, write_json
from smtp_sink import sink

SCRIPT = Path(__file__).resolve()
SEED = 0
SITE_NAME = "滨海新闻 Bench"
BASE_URL = "https://news.example.org"
HELO = "bench.example.com"
SAMPLE = OUT / "digest-sample.eml"
# Invented local news, one sentence per paragraph. Each article takes three sentences by the
# blocks of a Steiner triple system on 13 points ({i, i+1, i+4} and {i, i+2, i+7} mod 13), so any
# two articles share at most one sentence and none is taken for a near-duplicate of another.
ZH = [
    ("地铁五号线南延段开通", "滨海市地铁五号线南延段今天上午开通试运营，沿线新增车站七座。"),
    ("周末明显降温", "市气象台预计本周末将有一次明显降温过程，最低气温降至五摄氏度以下。"),
    ("东湖灯光展延期", "东湖公园的夜间灯光展将持续到明年二月，入园人数每晚限定八千人。"),
    ("三所新小学九月启用", "区教育局公布了新学期的招生方案，三所新建小学将于九月投入使用。"),
    ("港口吞吐量创新高", "港口集装箱吞吐量上月同比增长百分之十二，创下年内单月新高。"),
    ("儿童夜间门诊火爆", "市立医院新开设的儿童夜间门诊每晚接诊患者超过两百人次。"),
    ("老城排水改造过半", "老城区的排水管网改造工程已完成六成，雨季积水点减少了一半。"),
    ("农田巡检无人机亮相", "本地一家初创企业发布了用于农田巡检的小型无人机，续航可达九十分钟。"),
    ("古籍修复课一位难求", "图书馆周末推出的古籍修复体验课名额在半小时内被预约一空。"),
    ("食品抽检合格率过九成八", "市场监管部门抽检了两百批次食品，合格率为百分之九十八点五。"),
    ("跨海大桥夜间检修", "跨海大桥夜间检修期间，部分公交线路将临时绕行滨江路。"),
    ("城市马拉松报名破三万", "本届城市马拉松报名人数突破三万，赛事将首次设置亲子跑项目。"),
    ("社区食堂半年成绩单", "社区食堂试点半年来日均供餐一千二百份，老年人就餐可享八折优惠。"),
]
EN = [
    ("Harbour ferry back on full timetable", "The river ferry between Northbank and the old harbour resumed its full timetable on Monday after a month of engine repairs."),
    ("Four thousand street trees approved", "Councillors approved a plan to plant four thousand street trees across the eastern districts by the end of next year."),
    ("Recycling robot wins championship", "A local robotics team won the regional championship with a robot that sorts recycling by colour and weight."),
    ("Library opens until midnight", "The central library will stay open until midnight during the exam season, the first time in its ninety-year history."),
    ("Bus fares to rise in January", "Bus fares will rise by ten cents in January, while monthly passes for students stay at their current price."),
    ("Rare seabird nests mapped", "Researchers at the university have mapped the nesting sites of a rare seabird along the northern cliffs."),
    ("Night market adds thirty stalls", "The night market on Quay Street added thirty new stalls, most of them run by first-time food vendors."),
    ("Water pressure fix for hill suburbs", "Water pressure in the hill suburbs is expected to return to normal once the new pumping station is connected."),
    ("Volunteers repair 200 bicycles", "A volunteer group repaired more than two hundred bicycles for families who cannot afford a new one."),
    ("Hospital opens second emergency entrance", "The regional hospital opened a second emergency entrance to cut waiting times during the winter months."),
    ("Rain closes coastal road", "Heavy rain closed the coastal road for six hours, and engineers are checking the sea wall for damage."),
    ("Free orchestra concerts in the parks", "The city orchestra will perform free concerts in five neighbourhood parks over the summer weekends."),
    ("Deep-water berth halves anchor time", "Shipping firms report that the new deep-water berth has halved the time container ships spend at anchor."),
]
TRIPLES = [(i, (i + 1) % 13, (i + 4) % 13) for i in range(13)] + [(i, (i + 2) % 13, (i + 7) % 13) for i in range(13)]
OUTLETS = {"zh": (["城市", "民生", "交通"], ["滨海晚报", "滨海日报"], ["地铁", "天气", "教育", "港口", "医疗"]),
           "en": (["City", "Transport", "Science"], ["Bay Courier", "Valley Post"],
                  ["harbour", "schools", "weather", "health", "buses"])}
# Subscribers: language, zone and topics drawn with these weights; topics name the n-th
# category (c), source (s) or tag (t) in the store, so several render groups exist.
LANGUAGES = (("zh-CN", "en"), (7, 3))
ZONES = (("Asia/Shanghai", "Europe/London", "America/New_York", "Australia/Sydney"), (5, 2, 2, 1))
TOPICS = (((), ("c", 0), ("c", 4), ("s", 0), ("t", 1), ("c", 1, "t", 3)), (50, 15, 10, 10, 10, 5))


# --- worker side: runs in a fresh interpreter, prints one JSON line --------------------------

def _app(reset: bool = False):
    from alembic import command

    from feedsvc import create_app, db

    app = create_app()  # BASE_URL and SITE_NAME from the instance's environment (instance_env)
    if db.get_engine(app).dialect.name == "sqlite":
        db.ensure_schema(app)
    elif reset:
        command.downgrade(db.alembic_config(app), "base")
        db.upgrade(app)
    return app


def _articles(now: datetime):
    from feedsvc.ingest.article import ParsedArticle

    k = 0
    for lang, pool in (("zh", ZH), ("en", EN)):
        categories, sources, tags = OUTLETS[lang]
        for a, b, c in TRIPLES[:25]:
            sep = "；" if lang == "zh" else "; "
            yield ParsedArticle(
                title=pool[a][0] + sep + pool[b][0], text="\n\n".join(pool[i][1] for i in (a, b, c)),
                lang=lang, category=categories[k % 3], source_name=sources[k % 2],
                tags=[tags[k % 5], tags[(k + 2) % 5]], original_url=f"https://press.example.com/{lang}/{k}.html",
                published=now - timedelta(hours=k % 20, minutes=k),
            )
            k += 1


def _subscriber_rows(n: int, now: datetime, topic_slugs: dict):
    rng = random.Random(SEED)
    for i in range(n):
        pick = rng.choices(*TOPICS)[0]
        topics = sorted(f"{ {'c': 'category', 's': 'source', 't': 'tag'}[kind]}:{topic_slugs[kind][nth]}"
                        for kind, nth in zip(pick[::2], pick[1::2]))
        yield {"email": f"reader{i:06d}@mail{i % 5}.example.com", "state": "confirmed",
               "language": rng.choices(*LANGUAGES)[0], "timezone": rng.choices(*ZONES)[0],
               "delivery_hour": 0, "topics": json.dumps(topics, ensure_ascii=False),
               "created_at": now - timedelta(days=30), "confirmed_at": now - timedelta(days=30),
               "bounce_count": 0}


def worker_setup(task: dict) -> dict:
    """A fresh store: 50 articles through the importer, then N subscribers by bulk insert."""
    from sqlalchemy import func, insert, select, update

    from feedsvc.config import site_timezone
    from feedsvc.ingest.enrich import complete_article
    from feedsvc.ingest.settings import ImportSettings
    from feedsvc.ingest.store import store_article
    from feedsvc.models import Article, Category, Source, Subscriber, Tag

    app = _app(reset=True)
    now = datetime.fromisoformat(task["now"])
    settings = ImportSettings(tz=site_timezone(app))
    started = time.perf_counter()
    with app.extensions["feedsvc.sessionmaker"]() as session, session.begin():
        for k, parsed in enumerate(_articles(now)):
            store_article(session, complete_article(parsed, settings), source_file=f"bench:{k}",
                          index=0, file_hash=str(k), settings=settings)
            # Inside the digest window (the last 24 hours), newest first as they were stored.
            session.execute(update(Article).where(Article.source_file == f"bench:{k}")
                            .values(added_at=now - timedelta(minutes=10 + k)))
        shown = session.scalar(select(func.count()).select_from(Article)
                               .where(Article.visible.is_(True), Article.duplicate_of_id.is_(None)))
        slugs = {kind: list(session.scalars(select(model.slug).order_by(model.id)))
                 for kind, model in (("c", Category), ("s", Source), ("t", Tag))}
    rows = _subscriber_rows(task["n"], now, slugs)
    with app.extensions["feedsvc.sessionmaker"]() as session, session.begin():
        while batch := list(itertools.islice(rows, 10_000)):
            session.execute(insert(Subscriber), batch)
    return {"articles_shown": shown, "subscribers": task["n"], "seconds": time.perf_counter() - started}


# What delivery calls through module globals today (looked up at call time), timed when found:
# (label, module, attribute). After the outbox moves, a missing name only drops its column.
STEP_TIMERS = (
    ("digest_message", "feedsvc.digest.messages", "digest_message"),
    ("render_digest", "feedsvc.digest.messages", "render_digest"),
    ("personalise", "feedsvc.digest.messages", "personalise"),
    ("finish", "feedsvc.digest.messages", "finish"),
)
RESULT_LINES = {
    "editions": re.compile(r"^editions: (?P<created>\d+) new \((?P<empty>\d+) empty\), (?P<existing>\d+) already built,"
                           r" (?P<not_due>\d+) not due yet$", re.M),
    "messages": re.compile(r"^messages: (?P<sent>\d+) sent, (?P<retrying>\d+) to retry, (?P<failed>\d+) failed,"
                           r" (?P<cancelled>\d+) cancelled$", re.M),
}


def _machine_busy_s() -> float:
    """CPU seconds every process on the machine has spent so far (/proc/stat, all cores)."""
    with open("/proc/stat", encoding="ascii") as fh:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fh.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@contextmanager
def measured():
    """Wall and CPU time, the machine's busy CPU time and peak RSS of the block, in a dict."""
    figures = {"rss_before_mib": peak_rss_mib()}
    cpu, busy, started = time.process_time(), _machine_busy_s(), time.perf_counter()
    figures["started_at"] = time.monotonic()  # the sink's clock (CLOCK_MONOTONIC, machine-wide)
    yield figures
    figures.update(seconds=time.perf_counter() - started, cpu_s=time.process_time() - cpu,
                   machine_busy_s=_machine_busy_s() - busy, peak_rss_mib=peak_rss_mib())


def _current_rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def rss_sampled(every: float = 0.25):
    """(monotonic time, RSS MiB) of this process every ``every`` s while the block runs."""
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(every):
            samples.append((time.monotonic(), round(_current_rss_mib(), 1)))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def _instrument() -> dict:
    """Timers around STEP_TIMERS and smtplib's sendmail, where they exist; {label: seconds}."""
    import importlib

    spent: dict[str, float] = {}

    def timed(name, func):
        spent[name] = 0.0

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return wrapper

    for label, module_name, attribute in STEP_TIMERS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, attribute):
            setattr(module, attribute, timed(label, getattr(module, attribute)))
    smtplib.SMTP.sendmail = timed("smtplib_sendmail", smtplib.SMTP.sendmail)
    return spent


def run_command(*args: str) -> tuple[int, str]:
    """``feedsvc ARGS`` in this process; its exit code and what it printed on stdout."""
    from feedsvc.cli import main

    out, code = io.StringIO(), 0
    with contextlib.redirect_stdout(out):
        try:
            main.main(list(args), prog_name="feedsvc", standalone_mode=False)
        except SystemExit as exc:
            code = exc.code or 0
    return code, out.getvalue()


def _results(output: str) -> dict:
    """The counts the command's summary lines give (a contract of `feedsvc digest send`)."""
    found = {}
    for name, pattern in RESULT_LINES.items():
        match = pattern.search(output)
        found[name] = {k: int(v) for k, v in match.groupdict().items()} if match else None
    return found


def worker_send(task: dict) -> dict:
    """`feedsvc digest send --all`: build the editions, deliver the outbox; timers and RSS on the way."""
    spent = _instrument() if task.get("timers", True) else {}
    with measured() as figures, rss_sampled() as rss:
        code, output = run_command("digest", "send", "--all")
    return {"exit": code, "output": output[-2000:], **_results(output), "spent": spent, "rss_samples": rss,
            **figures}


def worker_groups(task: dict) -> dict:
    """One message per render group (same language, zone and topics: the same digest), made by
    `feedsvc digest preview`, and the plan of who gets which, for the bare loop."""
    from sqlalchemy import select

    from feedsvc import db
    from feedsvc.models import Subscriber

    app = _app()
    folder = Path(task["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[tuple, int] = {}
    plan = []
    with db.new_session(app) as session:
        rows = session.execute(select(Subscriber.email, Subscriber.language, Subscriber.timezone, Subscriber.topics)
                               .order_by(Subscriber.id)).all()
    for address, *key in rows:
        if tuple(key) not in groups:
            groups[tuple(key)] = len(groups)
            code, output = run_command("digest", "preview", "--subscriber", address, "-o",
                                       str(folder / f"{groups[tuple(key)]}.eml"))
            if code:
                raise RuntimeError(f"digest preview --subscriber {address}: {output}")
        plan.append((address, groups[tuple(key)]))
    (folder / "plan.json").write_text(json.dumps(plan))
    return {"groups": len(groups), "messages": len(plan)}


def worker_bare(task: dict) -> dict:
    """The reference: the previews sent with bare smtplib over ``connections`` connections (one
    thread each), every subscriber the message of their group."""
    folder = Path(task["folder"])
    plan = json.loads((folder / "plan.json").read_text())
    messages = {}
    for _address, group in plan:
        if group not in messages:
            # As the SMTP backend sends it: CRLF line ends.
            messages[group] = re.sub(rb"\r?\n", b"\r\n", (folder / f"{group}.eml").read_bytes())
    connections = task.get("connections", 1)
    sender = f"digest@{BASE_URL.split('//')[1]}"

    def send(share: list) -> None:
        smtp = smtplib.SMTP("127.0.0.1", task["port"], local_hostname=HELO)
        for address, group in share:
            smtp.sendmail(sender, [address], messages[group])
        smtp.quit()

    with measured() as figures:
        threads = [threading.Thread(target=send, args=(plan[k::connections],)) for k in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return {"messages": len(plan), "groups": len(messages), "connections": connections, **figures}


def worker_profile(task: dict) -> dict:
    """cProfile of one `digest send --all` (build and delivery): where the time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    code, output = run_command("digest", "send", "--all")
    profiler.disable()
    profiler.dump_stats(OUT / "digest-send.prof")  # for `python -m pstats` on the details
    stats = pstats.Stats(profiler).stats
    total = max(v[3] for v in stats.values())  # the outermost call's cumulative time

    def top(index: int, count: int, only_ours: bool) -> list[dict]:
        rows = sorted(stats.items(), key=lambda kv: kv[1][index], reverse=True)
        rows = [kv for kv in rows if "/feedsvc/" in kv[0][0] or not only_ours]
        return [{"function": f"{'/'.join(Path(f).parts[-2:])}:{line}({name})", "calls": v[1],
                 "self_s": v[2], "cumulative_s": v[3], "share": v[index] / total}
                for (f, line, name), v in rows[:count]]

    return {"exit": code, "sent": (_results(output)["messages"] or {}).get("sent", 0), "profiled_seconds": total,
            "ours_by_cumulative": top(3, 16, True), "by_self": top(2, 12, False)}


def worker_trace(task: dict) -> dict:
    """tracemalloc between the ``mark``-th message handed to smtplib and the end of the run."""
    import tracemalloc

    snapshots, counter, send = [], itertools.count(1), smtplib.SMTP.sendmail

    def counted(self, *args, **kwargs):
        if next(counter) == task["mark"]:
            snapshots.append(tracemalloc.take_snapshot())
        return send(self, *args, **kwargs)

    smtplib.SMTP.sendmail = counted
    tracemalloc.start(5)
    _code, output = run_command("digest", "send", "--all")
    snapshots.append(tracemalloc.take_snapshot())
    tracemalloc.stop()
    sent = (_results(output)["messages"] or {}).get("sent", 0)
    if len(snapshots) < 2:  # messages no longer go through smtplib.SMTP.sendmail
        return {"sent": sent, "between": None}
    diff = snapshots[1].compare_to(snapshots[0], "lineno")
    growth = sum(d.size_diff for d in diff)
    diff.sort(key=lambda d: d.size_diff, reverse=True)  # the lines that hold on to more
    return {"sent": sent, "between": [task["mark"], sent], "growth_kib": growth / 1024,
            "bytes_per_message": growth / max(1, sent - task["mark"]),
            "top": [{"where": f"{'/'.join(Path(d.traceback[0].filename).parts[-2:])}:{d.traceback[0].lineno}",
                     "size_diff_kib": d.size_diff / 1024, "count_diff": d.count_diff} for d in diff[:6]]}


WORKERS = {"setup": worker_setup, "groups": worker_groups, "send": worker_send, "bare": worker_bare,
           "profile": worker_profile, "trace": worker_trace}


# --- driver side -----------------------------------------------------------------------------

@contextmanager
def instance(args):
    """The environment of a fresh, temporary instance."""
    with tempfile.TemporaryDirectory(prefix="feedsvc-bench-digest-") as path:
        env = {"FEEDSVC_INSTANCE_PATH": path, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_SITE_NAME": SITE_NAME}
        if args.database_url:
            env["FEEDSVC_DATABASE_URL"] = args.database_url
        yield env


def mail_env(env: dict, port: int, connections: int) -> dict:
    """The instance's environment sending to ``port`` over ``connections`` SMTP connections
    (FEEDSVC_MAIL_CONNECTIONS: issue 11's setting; a version without it sends over one)."""
    return {**env, "FEEDSVC_MAIL_URL": f"smtp://127.0.0.1:{port}?helo={HELO}",
            "FEEDSVC_MAIL_CONNECTIONS": str(connections)}


def prepare(n: int, env: dict, now: str, folder: Path) -> tuple[dict, dict]:
    """Setup (articles, ``n`` subscribers) and the reference's messages, one per render group."""
    # Bounds far below what the code does (a few hundred subscribers a second would be slow).
    setup = run_worker(SCRIPT, {"task": "setup", "n": n, "now": now}, env=env, timeout=120 + n / 1000)
    groups = run_worker(SCRIPT, {"task": "groups", "folder": str(folder)}, env=env, timeout=120 + n / 1000)
    return setup, groups


def delivery_figures(send: dict, sink_stats: dict) -> dict:
    """Delivery as the sink saw it: from its first accepted message to its last, and the RSS of
    the sending process over that span (by tenths); what came before it is the build."""
    received = sink_stats["messages"]
    span = sink_stats["last_at"] - sink_stats["first_message_at"] if received > 1 else 0.0
    rate = (received - 1) / span if span > 0 else 0.0
    seconds = received / rate if rate else 0.0  # the span holds received - 1 intervals
    start, end = sink_stats["last_at"] - seconds, sink_stats["last_at"]
    inside = [rss for at, rss in send["rss_samples"] if start <= at <= end]
    tenths = [inside[min(len(inside) - 1, (k * len(inside)) // 10)] for k in range(1, 11)] if inside else []
    before = [rss for at, rss in send["rss_samples"] if at < start]
    return {"messages_per_s": rate, "seconds": seconds, "build_s": max(0.0, start - send["started_at"]),
            "rss_by_tenth_mib": tenths, "build_peak_rss_mib": max(before, default=None),
            "delivery_peak_rss_mib": max(inside, default=None)}


def bench_size(n: int, args, now: str) -> dict:
    """Setup, the bare loop and `digest send --all` over one connection, for ``n`` subscribers."""
    with instance(args) as env, tempfile.TemporaryDirectory(prefix="feedsvc-bench-mail-") as folder:
        setup, groups = prepare(n, env, now, Path(folder))
        timeout = 120 + n / 20
        with sink(timeout + 30) as (port, bare_sink):
            bare = run_worker(SCRIPT, {"task": "bare", "folder": folder, "port": port}, env=env, timeout=timeout)
        with sink(timeout + 30, save_first=SAMPLE) as (port, ours_sink):
            send = run_worker(SCRIPT, {"task": "send"}, env=mail_env(env, port, 1), timeout=timeout)
    delivered = delivery_figures(send, ours_sink)
    built, result = send["editions"] or {}, send["messages"] or {}
    sent = result.get("sent", -1)
    checks = {
        "articles_shown_is_50": setup["articles_shown"] == 50,
        "command_succeeded": send["exit"] == 0,
        "all_built_sent": sent == built.get("created", -2) - built.get("empty", 0),
        "sink_received_all_ours": ours_sink["messages"] == ours_sink["recipients"] == sent,
        "sink_received_all_bare": bare_sink["messages"] == bare["messages"] == groups["messages"],
        "one_connection_each": ours_sink["connections"] == bare_sink["connections"] == 1,
        "sinks_not_timed_out": not (ours_sink["timed_out"] or bare_sink["timed_out"]),
    }
    return {"subscribers": n, "setup": setup, "groups": groups["groups"], "send": send, "bare": bare,
            "delivery": delivered, "sink": {"ours": ours_sink, "bare": bare_sink}, "checks": checks,
            "others_cores": {"send": _others(send, ours_sink), "bare": _others(bare, bare_sink)},
            "messages_per_s": delivered["messages_per_s"], "bare_messages_per_s": bare["messages"] / bare["seconds"]}


def _others(phase: dict, sink_stats: dict | None = None) -> float:
    """Cores other processes kept busy during a phase (2 cores here: above ~0.1 it was shared)."""
    own = phase["cpu_s"] + (sink_stats["cpu_s"] if sink_stats else 0.0)
    return max(0.0, phase["machine_busy_s"] - own) / phase["seconds"]


def profile_and_trace(n: int, args, now: str) -> dict:
    """A send under cProfile, then one under tracemalloc, each on a fresh instance of ``n``."""
    found = {"subscribers": n}
    for task in ({"task": "profile"}, {"task": "trace", "mark": max(1, n // 5)}):
        with instance(args) as env:
            run_worker(SCRIPT, {"task": "setup", "n": n, "now": now}, env=env, timeout=300)
            with sink(600) as (port, _):
                found[task["task"]] = run_worker(SCRIPT, task, env=mail_env(env, port, 1), timeout=300 + n / 10)
    found["tracemalloc"] = found.pop("trace")
    return found


def check_sample() -> dict:
    """The first message the sink kept: parses without defects and carries the list headers."""
    msg = email.message_from_bytes(SAMPLE.read_bytes(), policy=email.policy.default)
    defects = [str(d) for part in msg.walk() for d in part.defects]
    return {"bytes": SAMPLE.stat().st_size, "content_type": msg.get_content_type(), "defects": defects,
            "list_unsubscribe": "List-Unsubscribe" in msg, "subject": str(msg["Subject"])}


def step_split(r: dict) -> list | None:
    """Shares of the delivery time, from the step timers (None when the names have moved)."""
    s, total = r["send"]["spent"], r["delivery"]["seconds"]
    needed = ("digest_message", "render_digest", "personalise", "_finish", "smtplib_sendmail")
    if not total or not all(k in s for k in needed):
        return None
    rest_of_message = s["digest_message"] - s["render_digest"] - s["personalise"] - s["_finish"]
    return [r["subscribers"], *(f"{v / total:.0%}" for v in (
        s["render_digest"], s["personalise"], rest_of_message, s["_finish"], s["smtplib_sendmail"],
        total - s["digest_message"] - s["smtplib_sendmail"]))]


def report(results: list[dict], extra: dict, args) -> str:
    """The Markdown printed on stdout."""
    rows = [[
        r["subscribers"], r["groups"], r["send"]["messages"]["sent"] if r["send"]["messages"] else "?",
        r["sink"]["ours"]["messages"], r["messages_per_s"], r["delivery"]["seconds"], r["delivery"]["build_s"],
        r["send"]["peak_rss_mib"], r["bare_messages_per_s"], r["messages_per_s"] / r["bare_messages_per_s"],
        r["bare"]["peak_rss_mib"], f"{r['sink']['ours']['cpu_share']:.0%} / {r['sink']['bare']['cpu_share']:.0%}",
        " / ".join(f"{r['others_cores'][k]:.2f}" for k in ("send", "bare")),
    ] for r in results]
    lines = [
        f"## Digest delivery to an SMTP sink on loopback ({'PostgreSQL' if args.database_url else 'SQLite'})", "",
        markdown_table(["subscribers", "render groups", "sent", "sink received", "messages/s", "delivery s",
                        "build s", "peak RSS MiB", "bare smtplib messages/s", "ours/bare", "bare peak RSS MiB",
                        "sink CPU share (ours / bare)", "other processes, cores (ours / bare)"], rows), "",
    ]
    split = [row for row in map(step_split, results) if row]
    if split:
        lines += ["Share of delivery time (timers, unprofiled):", "",
                  markdown_table(["subscribers", "render (per group)", "personalise", "links, headers", "MIME build",
                                  "smtplib + sink", "database, ORM, loop"], split), ""]
    lines += ["RSS (MiB) of the sending process during delivery, by tenth of it:", ""]
    lines += [f"- {r['subscribers']:,}: {r['delivery']['rss_by_tenth_mib']}" for r in results]
    failed = [f"{r['subscribers']}: {name}" for r in results for name, ok in r["checks"].items() if not ok]
    lines += ["", "Checks: " + ("all passed" if not failed else "FAILED " + ", ".join(failed))
              + f"; sample message: {extra['sample']}"]
    if extra.get("profile"):
        p, t = extra["profile"]["profile"], extra["profile"]["tracemalloc"]
        lines += ["", f"cProfile, `digest send --all` to {p['sent']:,} subscribers ({p['profiled_seconds']:.1f} s"
                  " profiled); our functions by cumulative share:", ""]
        lines += [f"{i}. {f['function']} {f['share']:.0%} ({f['calls']:,} calls)"
                  for i, f in enumerate(p["ours_by_cumulative"], 1)]
        if t.get("between"):
            lines += ["", f"tracemalloc, messages {t['between'][0]:,} to {t['between'][1]:,}: "
                      f"{t['growth_kib']:,.1f} KiB still allocated ({t['bytes_per_message']:.0f} B/message)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/out/digest.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated subscriber counts")
    parser.add_argument("--profile-size", type=int, help="messages under cProfile and tracemalloc"
                        " (0: skip; default 2000 when a size reaches 10000, else 0)")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (it is emptied)")
    parser.add_argument("--out", default="digest.json", help="the JSON file, under bench/out/ unless absolute")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        task = json.loads(args.worker)
        print(json.dumps(WORKERS[task["task"]](task), default=str))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    # A minute ago: the articles are in the last 24 hours when the command builds the editions.
    now = (datetime.now(timezone.utc) - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    sizes = [int(n) for n in args.sizes.split(",")]
    results = [bench_size(n, args, now) for n in sizes]
    extra = {"sample": check_sample()}
    if args.profile_size is None:
        # Both take minutes; a quick check (small sizes) goes without them.
        args.profile_size = 2000 if max(sizes) >= 10_000 else 0
    if args.profile_size:
        extra["profile"] = profile_and_trace(args.profile_size, args, now)
    data = {"machine": machine(), "now": now, "database": "postgresql" if args.database_url else "sqlite",
            "results": results, **extra}
    path = write_json(args.out, data)
    print(report(results, extra, args))
    print(f"\nJSON: {path}")
    return 0 if all(all(r["checks"].values()) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
