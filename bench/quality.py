"""How well the importer reads pages it was not written for, side by side with the plain libraries.

    python bench/quality.py --suite readability DIR [--suite trafilatura DIR] [--out docs/QUALITY.md]

Each suite is a public extraction test set brought into a folder outside the repository (their
pages are not ours to commit):

- ``readability``: mozilla/readability's ``test/test-pages`` (one folder per page with
  ``source.html``, the gold ``expected.html`` and ``expected-metadata.json``). Text is scored as
  an F1 over bags of words (Latin text) and characters (CJK text): what a reader would get
  against what the gold body holds.
- ``trafilatura``: adbar/trafilatura's ``tests`` folder (``evaldata.json`` with ``eval/`` and
  ``cache/``). Its gold is snippets that must appear (``with``) and must not (``without``), so text
  is scored as trafilatura's own evaluation does: precision/recall/F1 over those snippets.

Every page goes through ``parse_bytes`` in-process (what ``feedsvc parse`` runs, without its
start-up) and, in the same run, through ``trafilatura`` and ``readability-lxml`` called as a user
would. Titles, dates and bylines are scored against the suites' metadata where they give one.
Summaries are checked for what a digest reader sees: every sentence must come from the gold body
and the summary must not be the title again.

Results go to ``bench/out/quality/<suite>.json`` (per page, for digging) and, with ``--out``, to
a generated Markdown report.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import lxml.html

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT))

EXTRACTORS = ("feedsvc", "trafilatura", "readability")
# Han, kana and Hangul are scored per character (a character carries about what a word does);
# everything else per word of letters and digits.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+")
_BLOCKS = "p h1 h2 h3 h4 h5 h6 li blockquote pre tr dt dd figcaption div section article br".split()


# --- gold ---------------------------------------------------------------------------------------

@dataclass
class Page:
    """One test page and what its suite says is in it."""

    suite: str
    name: str
    path: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    text: str | None = None  # the whole gold body (readability suite)
    with_: list[str] = field(default_factory=list)  # snippets that must appear (trafilatura suite)
    without: list[str] = field(default_factory=list)  # snippets that must not


def load_suite(suite: str, folder: Path) -> list[Page]:
    """The pages of a suite, in a stable order."""
    if suite == "readability":
        return _readability_pages(folder)
    if suite == "trafilatura":
        return _trafilatura_pages(folder)
    raise SystemExit(f"unknown suite {suite!r}")


def _readability_pages(folder: Path) -> list[Page]:
    pages = []
    for page_dir in sorted(p for p in folder.iterdir() if (p / "source.html").is_file()):
        meta_path = page_dir / "expected-metadata.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        gold_html = (page_dir / "expected.html").read_text(encoding="utf-8")
        pages.append(Page(
            suite="readability", name=page_dir.name, path=str(page_dir / "source.html"),
            title=meta.get("title") or None, author=meta.get("byline") or None,
            date=_day(meta.get("publishedTime")), text=html_text(gold_html),
        ))
    return pages


def _trafilatura_pages(folder: Path) -> list[Page]:
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(data):
        item = data[url]
        path = next((folder / sub / item["file"] for sub in ("eval", "cache")
                     if (folder / sub / item["file"]).is_file()), None)
        if path is None:
            continue
        author = item.get("author")
        if isinstance(author, list):
            author = "; ".join(author)
        pages.append(Page(
            suite="trafilatura", name=url, path=str(path), title=item.get("title") or None,
            author=(author or "").strip() or None, date=_day(item.get("date")),
            with_=item["with"], without=item["without"],
        ))
    return pages


def _day(value) -> str | None:
    match = re.match(r"\d{4}-\d{2}-\d{2}", str(value or ""))
    return match.group(0) if match else None


def html_text(fragment: str) -> str:
    """The text of an HTML fragment with blocks on lines of their own."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fromstring(fragment)
    except Exception:  # an extractor's odd output is scored as empty, not a crash
        return ""
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()


# --- running the extractors ---------------------------------------------------------------------

@dataclass
class Result:
    """What one extractor made of one page."""

    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    summary: str | None = None
    error: str | None = None
    seconds: float = 0.0


def run_feedsvc(data: bytes, name: str) -> Result:
    from feedsvc.ingest.article import ParseError
    from feedsvc.ingest.enrich import complete_article
    from feedsvc.ingest.parse import parse_bytes
    from feedsvc.ingest.settings import ImportSettings

    try:
        article = parse_bytes(data, "page.html", tz=timezone.utc)[0]
    except ParseError as exc:
        return Result(error=str(exc))
    try:
        # What a digest reader sees: the summary made exactly as an import makes it.
        summary = complete_article(article, ImportSettings(tz=timezone.utc)).summary
    except ParseError:
        summary = None
    published = article.published.isoformat()[:10] if article.published else None
    return Result(text=article.text, title=article.title, author=article.author, date=published,
                  summary=summary)


def run_trafilatura(data: bytes, name: str) -> Result:
    import trafilatura

    # trafilatura's own benchmark settings (tests/eval_common.py: EXTRACT_OPTS).
    doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                      include_tables=True, include_formatting=False)
    if doc is None:
        return Result(error="nothing extracted")
    return Result(text=doc.text or "", title=doc.title, author=doc.author, date=_day(doc.date))


def run_readability(data: bytes, name: str) -> Result:
    from readability import Document

    doc = Document(data)
    return Result(text=html_text(doc.summary(html_partial=True)), title=doc.short_title() or None)


RUNNERS = {"feedsvc": run_feedsvc, "trafilatura": run_trafilatura, "readability": run_readability}


def _run_page(args: tuple[Page, tuple[str, ...]]) -> tuple[str, dict[str, Result]]:
    page, names = args
    data = Path(page.path).read_bytes()
    results = {}
    for name in names:
        started = time.perf_counter()
        try:
            result = RUNNERS[name](data, page.name)
        except Exception as exc:  # a crash is a miss, as it would be in production
            result = Result(error=f"{type(exc).__name__}: {exc}"[:200])
        result.seconds = time.perf_counter() - started
        results[name] = result
    return page.name, results


def run_suite(pages: list[Page], names: tuple[str, ...], jobs: int) -> dict[str, dict[str, Result]]:
    """Every page through every extractor, ``jobs`` pages at a time."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(_run_page, [(p, names) for p in pages], chunksize=4))


# --- scoring ------------------------------------------------------------------------------------

def tokens(text: str) -> Counter:
    """The bag of words and CJK characters of a text, case- and width-folded."""
    return Counter(_TOKEN.findall(unicodedata.normalize("NFKC", text or "").casefold()))


def bag_scores(candidate: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of a candidate's bag against the gold bag."""
    cand, ref = tokens(candidate), tokens(gold)
    overlap = sum((cand & ref).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(cand.values()), overlap / sum(ref.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def snippet_counts(page: Page, text: str) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of the suite's snippets, as trafilatura's evaluation counts them."""
    found = _norm(text)
    tp = sum(_norm(w) in found for w in page.with_)
    fp = sum(_norm(w) in found for w in page.without)
    return tp, fp, len(page.with_) - tp, len(page.without) - fp


def same_title(ours: str | None, gold: str | None) -> bool:
    return bool(ours) and _norm(ours) == _norm(gold)


_NAME_SPLIT = re.compile(r"\s*(?:[,;、，；&/]|\band\b|\bund\b)\s*", re.IGNORECASE)


def same_author(ours: str | None, gold: str | None) -> bool:
    """Equal as sets of names ("A, B" is "B and A"); a leading "By" is not part of a name."""
    def names(value: str | None) -> set[str]:
        value = re.sub(r"^\s*by\s+", "", _norm(value))
        return {n for n in _NAME_SPLIT.split(value) if n}
    return bool(ours) and names(ours) == names(gold)


def summary_sound(summary: str | None, title: str | None, gold_text: str) -> bool | None:
    """Every sentence of the summary stands in the gold body, and it is not the title again."""
    if not summary:
        return None
    from feedsvc.text.sentences import split_sentences
    from feedsvc.text.signature import normalize_text

    if title and normalize_text(summary) == normalize_text(title):
        return False
    body = normalize_text(gold_text)
    for sentence in split_sentences(summary):
        key = normalize_text(sentence.rstrip("…"))
        if key and key not in body:
            return False
    return True


def summary_clean(summary: str | None, title: str | None, page: Page) -> bool | None:
    """On a snippet suite: the summary holds no snippet that must not appear, and is not the title."""
    if not summary:
        return None
    from feedsvc.text.signature import normalize_text

    if title and normalize_text(summary) == normalize_text(title):
        return False
    return not any(_norm(w) in _norm(summary) for w in page.without)


def score(pages: list[Page], results: dict[str, dict[str, Result]], names: tuple[str, ...]) -> dict:
    """Per extractor: text scores, refusals, title/date/author accuracy, summary soundness."""
    table: dict = {}
    for name in names:
        text_f1, counts, refused = [], [0, 0, 0, 0], 0
        fields = {"title": [0, 0], "date": [0, 0], "author": [0, 0]}
        sound = [0, 0]
        seconds = 0.0
        for page in pages:
            result = results[page.name][name]
            seconds += result.seconds
            refused += bool(result.error)
            if page.text is not None:
                text_f1.append(bag_scores(result.text, page.text))
            else:
                for i, c in enumerate(snippet_counts(page, result.text)):
                    counts[i] += c
            for key, same in (("title", same_title), ("date", lambda a, b: a == b), ("author", same_author)):
                gold = getattr(page, key)
                if gold:
                    fields[key][1] += 1
                    fields[key][0] += bool(same(getattr(result, key), gold))
            if name == "feedsvc" and page.text is None:
                verdict = summary_clean(result.summary, page.title or result.title, page)
                if verdict is not None:
                    sound[1] += 1
                    sound[0] += verdict
            if name == "feedsvc" and page.text is not None:
                verdict = summary_sound(result.summary, page.title or result.title, page.text)
                if verdict is not None:
                    sound[1] += 1
                    sound[0] += verdict
        entry: dict = {"pages": len(pages), "refused": refused, "seconds": round(seconds, 2)}
        if text_f1:
            entry.update({k: round(sum(s[i] for s in text_f1) / len(text_f1), 4)
                          for i, k in enumerate(("precision", "recall", "f1"))})
        else:
            tp, fp, fn, tn = counts
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            entry.update({"precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(2 * precision * recall / (precision + recall), 4) if tp else 0.0,
                          "snippets": {"tp": tp, "fp": fp, "fn": fn, "tn": tn}})
        for key, (right, total) in fields.items():
            entry[key] = {"right": right, "of": total, "share": round(right / total, 4) if total else None}
        if sound[1]:
            entry["summary_sound"] = {"right": sound[0], "of": sound[1], "share": round(sound[0] / sound[1], 4)}
        table[name] = entry
    return table


def per_page(pages: list[Page], results: dict[str, dict[str, Result]], names: tuple[str, ...]) -> list[dict]:
    """One row per page: each extractor's F1 (or snippet counts), error and fields, for digging."""
    rows = []
    for page in pages:
        row: dict = {"page": page.name, "gold": {k: getattr(page, k) for k in ("title", "author", "date")}}
        for name in names:
            result = results[page.name][name]
            entry = {k: v for k, v in asdict(result).items() if k not in ("text", "summary")}
            entry["chars"] = len(result.text)
            if page.text is not None:
                entry["f1"] = round(bag_scores(result.text, page.text)[2], 4)
            else:
                entry["snippets"] = snippet_counts(page, result.text)
            if name == "feedsvc":
                entry["summary"] = result.summary
            row[name] = entry
        rows.append(row)
    return rows


# --- report -------------------------------------------------------------------------------------

def _pct(part: dict) -> str:
    return "–" if not part or part.get("share") is None else f"{part['share']:.0%} ({part['right']}/{part['of']})"


def report(suites: dict[str, dict], started: str, seconds: float) -> str:
    """docs/QUALITY.md from one run's scores."""
    import readability  # noqa: F401  (its version is read from the distribution below)
    from importlib.metadata import version

    libs = ", ".join(f"{d} {version(d)}" for d in ("trafilatura", "readability-lxml", "lxml", "htmldate"))
    lines = [
        "# Extraction quality",
        "",
        "How well `feedsvc` reads real pages, beside the plain libraries a user could call instead,",
        "on two public extraction suites (the dev data of the extraction issue; its other test sets are",
        "kept for judging and never used here). **This file is generated** by `bench/quality.py` from",
        f"one run; re-run it rather than editing here. Generated {started} in {seconds:,.0f} s; {libs}.",
        "",
        "Text is scored on the `readability` suite as an F1 over bags of words (Latin text) and",
        "characters (CJK text) against the whole gold body, averaged over pages; on the `trafilatura`",
        "suite as that project's own evaluation does, over snippets that must and must not appear.",
        "A page an extractor refuses or crashes on scores zero. Titles compare whitespace- and",
        "case-folded; dates by day; bylines as sets of names. `trafilatura` runs with the settings of",
        "its own benchmark (no comments, tables kept), `readability-lxml` with its defaults.",
        "",
    ]
    for suite, table in suites.items():
        lines += [f"## Suite `{suite}` ({table['feedsvc']['pages']} pages)", "",
                  "| | feedsvc | trafilatura | readability-lxml |", "|---|---|---|---|"]
        rows = [
            ("text F1", lambda e: f"{e['f1']:.3f}"),
            ("text precision", lambda e: f"{e['precision']:.3f}"),
            ("text recall", lambda e: f"{e['recall']:.3f}"),
            ("pages refused or failed", lambda e: str(e["refused"])),
            ("title right", lambda e: _pct(e["title"])),
            ("date right", lambda e: _pct(e["date"])),
            ("byline right", lambda e: _pct(e["author"])),
            ("seconds, all pages", lambda e: f"{e['seconds']:.1f}"),
        ]
        for label, cell in rows:
            cells = [cell(table[n]) if n in table else "–" for n in EXTRACTORS]
            if label in ("date right", "byline right") and "readability" in table:
                cells[2] = "–"  # readability-lxml reads no dates and no bylines
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        sound = table["feedsvc"].get("summary_sound")
        if sound and suite == "readability":
            lines += ["", f"Summaries (feedsvc): {_pct(sound)} of the pages' summaries are sound: every "
                      "sentence found in the gold body, and not the title again."]
        elif sound:
            lines += ["", f"Summaries (feedsvc): {_pct(sound)} of the pages' summaries hold none of the "
                      "snippets that must not appear, and are not the title again (this suite has no "
                      "whole gold body to check the sentences against)."]
        lines.append("")
    lines += _model_section()
    return "\n".join(lines)


def _model_section() -> list[str]:
    """How the body model was trained, and what it scores on pages it did not see."""
    from feedsvc.ingest.bodymodel import MODEL_PATH

    trained = json.loads(MODEL_PATH.read_text(encoding="utf-8")).get("trained", {})
    cv = trained.get("cross_validated")
    lines = [
        "## The body model and pages it never saw",
        "",
        "feedsvc's reader lets readability-lxml and trafilatura vote on each paragraph of the page "
        "and weighs their votes with a small boosted-tree model (`feedsvc/ingest/bodymodel.json`), "
        "trained by `bench/train_reader.py` on these same suites ("
        + ", ".join(f"{n} pages of `{suite}`" for suite, n in trained.get("pages", {}).items())
        + "). The scores above are therefore on pages the model was trained on.",
    ]
    if cv:
        f1 = ", ".join(f"`{suite}` {value:.3f}" for suite, value in cv["text_f1"].items())
        lines += ["", f"Held out — {cv['folds']}-fold cross-validation, every page scored by a model "
                  f"trained without it, averaged over {cv['shuffles']} shuffles: text F1 {f1}. That is "
                  "the figure to expect on pages like these that nobody here has seen; compare it with "
                  "the libraries' columns above."]
    return lines + [""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", nargs=2, action="append", metavar=("NAME", "DIR"), required=True,
                        help="readability DIR or trafilatura DIR; repeatable")
    parser.add_argument("--only", choices=EXTRACTORS, action="append", help="run just these extractors")
    parser.add_argument("--limit", type=int, help="the first N pages of each suite (for a quick look)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    args = parser.parse_args(argv)
    names = tuple(args.only or EXTRACTORS)
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    scores = {}
    out_dir = BENCH_DIR / "out" / "quality"
    out_dir.mkdir(parents=True, exist_ok=True)
    for suite, folder in args.suite:
        pages = load_suite(suite, Path(folder))[: args.limit]
        results = run_suite(pages, names, args.jobs)
        scores[suite] = score(pages, results, names)
        (out_dir / f"{suite}.json").write_text(json.dumps(
            {"scores": scores[suite], "pages": per_page(pages, results, names)}, ensure_ascii=False, indent=1))
        print(suite, json.dumps(scores[suite], ensure_ascii=False))
    if args.out:
        args.out.write_text(report(scores, started, time.perf_counter() - t0), encoding="utf-8")


if __name__ == "__main__":
    main()
