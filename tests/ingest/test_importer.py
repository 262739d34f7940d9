"""The importer against a real database: outcomes, idempotence, reprints, broken files."""
from __future__ import annotations

import json
import os
import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text

from feedsvc import db
from feedsvc.ingest.importer import Outcome, collect_files, import_files
from feedsvc.ingest.settings import DEFAULT_MAX_BYTES, ImportSettings
from feedsvc.models import Article, ArticleBand, ImportRun, Source
from feedsvc.config import site_timezone
from feedsvc.text.sentences import split_sentences

PARAGRAPHS = [
    "市图书馆新馆于本周六正式向公众开放，新馆建筑面积约两万平方米，设有少儿阅读区、古籍修复展示区和数字体验空间。",
    "据介绍，新馆首批上架图书约四十万册，并引入自助借还设备，读者持身份证即可办理借阅手续。",
    "开馆当天，馆方举办了城市阅读分享会，多位本地作家与读者交流写作经历，现场座无虚席。",
    "馆长表示，新馆将延长夜间开放时间，周末开放至晚上九点，方便上班族和学生利用业余时间阅读。",
    "此外，新馆还与周边中小学合作开设阅读课程，计划每月举办两场面向青少年的主题讲座。",
    "市民李女士带着孩子第一时间前来参观，她说新馆环境安静舒适，孩子很喜欢少儿区的绘本。",
]


def text_dump(title, paragraphs, *, source="滨海晚报", date="2026-11-20 09:30", extra_meta="",
              original=None, site="江岸新闻网", category="城市"):
    """A text dump in the layout scrapers store: chrome, metadata line, body, footer."""
    lines = [
        site, "", f"欢迎访问{site}！", f"当前位置：首页 > {category} > 正文", "", title, "",
        f"发布时间：{date}  来源：{source} {extra_meta}".rstrip(), "",
    ]
    lines += [f"\u3000\u3000{p}\n" for p in paragraphs]
    if original:
        lines.append(f"原文链接：{original}")
    lines += ["【打印】【关闭】", "分享到：微信 微博", f"Copyright (C) 2026 {site} 版权所有", "京ICP备00000000号"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def settings(app):
    return ImportSettings(tz=site_timezone(app))


@pytest.fixture
def run_import(app, settings):
    """Import the given paths with the app's session factory; returns the report."""
    def run(*paths):
        return import_files(
            app.extensions["feedsvc.sessionmaker"], collect_files(paths), settings=settings,
            origin="test",
        )
    return run


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.get_session()


def fail_after_storing(monkeypatch, title):
    """The importer's store of the article called ``title`` raises once it has written its rows,
    which its savepoint then takes back."""
    from feedsvc.ingest import importer

    real = importer.store_article

    def store_then_fail(session, article, **kwargs):
        outcome = real(session, article, **kwargs)
        if article.title == title:
            raise RuntimeError("disk on fire")
        return outcome

    monkeypatch.setattr(importer, "store_article", store_then_fail)


def write(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_import_stores_every_field(tmp_path, run_import, session):
    write(tmp_path / "a" / "library.txt", text_dump(
        "新图书馆周六开放", PARAGRAPHS, original="https://www.example.org/news/1.html"))
    report = run_import(tmp_path)
    assert report.counts[Outcome.NEW] == 1 and report.failed == 0

    article = session.scalar(select(Article))
    assert article.title == "新图书馆周六开放"
    assert article.source.name == "滨海晚报"
    assert article.category.name == "城市"
    assert article.site_name == "江岸新闻网"
    assert article.original_url == "https://www.example.org/news/1.html"
    # 09:30 in the site's zone (Asia/Shanghai, UTC+8) is 01:30 UTC.
    assert article.published_at == datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)
    assert article.lang == "zh"
    assert article.body_text.startswith(PARAGRAPHS[0])
    assert article.body_text.count("\n\n") == len(PARAGRAPHS) - 1
    assert "<p>" in article.body_html and "版权所有" not in article.body_html
    assert article.summary and article.summary_generated
    assert len(article.summary) <= 200
    assert all(sentence in article.body_text for sentence in split_sentences(article.summary))
    assert article.tags, "tags are extracted when the file gives none"
    assert article.visible and article.duplicate_of_id is None
    assert len(article.uid) == 32 and article.slug.startswith("2026-11-20-")
    assert session.scalar(select(func.count()).select_from(ArticleBand)) > 0


def test_date_only_is_midnight_in_site_zone(tmp_path, run_import, session):
    write(tmp_path / "d.txt", text_dump("只有日期的文章", PARAGRAPHS, date="2026-11-21"))
    run_import(tmp_path)
    article = session.scalar(select(Article))
    assert article.published_at == datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
    assert article.published_known


def test_reimport_is_idempotent_and_edits_update(tmp_path, run_import, session):
    path = write(tmp_path / "x.txt", text_dump("新图书馆周六开放", PARAGRAPHS))
    assert run_import(tmp_path).counts[Outcome.NEW] == 1
    first = session.scalar(select(Article))
    uid, updated_at = first.uid, first.updated_at
    session.rollback()

    again = run_import(tmp_path)
    assert again.counts[Outcome.UNCHANGED] == 1 and again.counts[Outcome.NEW] == 0
    assert session.scalar(select(Article)).updated_at == updated_at

    write(path, text_dump("新图书馆周六正式开放", PARAGRAPHS))
    session.rollback()  # end the read transaction: under WAL it would keep its old snapshot
    changed = run_import(tmp_path)
    assert changed.counts[Outcome.UPDATED] == 1
    article = session.scalar(select(Article))
    assert article.uid == uid, "the id feeds use never changes on re-import"
    assert article.title == "新图书馆周六正式开放"
    assert article.updated_at > updated_at
    assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_broken_files_are_reported_and_the_rest_imported(tmp_path, run_import, session):
    write(tmp_path / "good.txt", text_dump("新图书馆周六开放", PARAGRAPHS))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    write(tmp_path / "nav.html", "<html><body><nav><a href='/'>首页</a> | <a href='/a'>新闻</a></nav></body></html>")
    write(tmp_path / "bad.json", '{"title": "x", ')
    write(tmp_path / "list.json", json.dumps([
        {"title": "A fine article", "text": "Some text. " * 30},
        {"title": "No body at all"},
    ]))
    report = run_import(tmp_path)
    assert report.counts[Outcome.NEW] == 1
    assert report.failed == 5
    failed_files = sorted(p.rsplit("/", 1)[-1] for p, _ in report.errors)
    assert failed_files == ["bad.json", "binary.txt", "empty.txt", "list.json", "nav.html"]
    for _path, message in report.errors:
        assert "\n" not in message and "Traceback" not in message and message
    # Nothing half-imported: the list with one bad item left no article behind.
    assert [a.title for a in session.scalars(select(Article))] == ["新图书馆周六开放"]
    run = session.scalar(select(ImportRun))
    assert (run.new, run.failed) == (1, 5) and "bad.json" in run.errors


def test_file_over_the_size_limit_fails_alone(tmp_path, app, session):
    write(tmp_path / "big.txt", text_dump("大文件", PARAGRAPHS * 50))
    write(tmp_path / "small.txt", text_dump("小文件", PARAGRAPHS[:3]))
    report = import_files(
        app.extensions["feedsvc.sessionmaker"], collect_files([tmp_path]),
        settings=ImportSettings(tz=site_timezone(app), max_bytes=4000), origin="test",
    )
    assert report.counts[Outcome.NEW] == 1 and report.failed == 1
    assert "big.txt" in report.errors[0][0] and "too large" in report.errors[0][1]


def test_the_store_knows_a_day_given_without_a_time(tmp_path, run_import, session):
    write(tmp_path / "day.txt", text_dump("只有日期", _distinct(1), date="2026-11-20"))
    write(tmp_path / "time.txt", text_dump("日期和时间", _distinct(2), date="2026-11-20 00:00"))
    run_import(tmp_path)
    flags = {a.title: a.published_date_only for a in session.scalars(select(Article))}
    assert flags == {"只有日期": True, "日期和时间": False}


def test_every_importable_suffix_is_collected(tmp_path):
    for name in ("a.txt", "b.text", "c.html", "d.htm", "e.xhtml", "f.shtml", "g.md", "h.markdown", "i.json"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "notes.docx").write_text("x", encoding="utf-8")
    assert sorted(p.name for p in collect_files([tmp_path])) == [
        "a.txt", "b.text", "c.html", "d.htm", "e.xhtml", "f.shtml", "g.md", "h.markdown", "i.json"]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, run_import):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: the size is there, the bytes are not
    report = run_import(tmp_path)
    assert report.failed == 1 and "too large" in report.errors[0][1]


def test_exact_reprint_is_merged_and_keeps_original_link(tmp_path, run_import, session):
    write(tmp_path / "1-first.txt", text_dump("新图书馆周六开放", PARAGRAPHS, site="江岸新闻网"))
    write(tmp_path / "2-reprint.txt", text_dump(
        "新图书馆周六开放", PARAGRAPHS, site="山城资讯网", source="江岸新闻网",
        original="https://news.example.cn/city/1.html"))
    report = run_import(tmp_path)
    assert (report.counts[Outcome.NEW], report.counts[Outcome.DUPLICATE]) == (1, 1)
    first, reprint = session.scalars(select(Article).order_by(Article.id)).all()
    assert reprint.duplicate_of_id == first.id and reprint.duplicate_kind == "exact"
    assert first.original_url == "https://news.example.cn/city/1.html"
    # Idempotent for the reprint too.
    session.rollback()
    assert run_import(tmp_path).counts[Outcome.UNCHANGED] == 2


def test_near_duplicate_is_linked_not_shown_twice(tmp_path, run_import, session):
    edited = PARAGRAPHS[:]
    edited[3] = "馆长介绍，新馆周末将开放到晚上九点，方便市民阅读。"
    write(tmp_path / "1.txt", text_dump("新图书馆周六开放", PARAGRAPHS))
    write(tmp_path / "2.txt", text_dump("市图书馆新馆开放", edited, site="山城资讯网"))
    write(tmp_path / "3.txt", text_dump("秋季马拉松周日开跑", [
        "一年一度的城市秋季马拉松将于本周日早上七点半鸣枪开跑，预计有三万名跑者参赛。",
        "赛事组委会提醒，比赛期间沿线多条道路将实施临时交通管制，请市民提前规划出行路线。",
        "今年赛事新增了家庭跑项目，全程约五公里，适合亲子共同参与。",
        "组委会在沿途设置了二十个补给站和十个医疗点，并安排志愿者提供服务。",
    ]))
    report = run_import(tmp_path)
    assert (report.counts[Outcome.NEW], report.counts[Outcome.DUPLICATE]) == (2, 1)
    rows = {a.title: a for a in session.scalars(select(Article))}
    assert rows["市图书馆新馆开放"].duplicate_of_id == rows["新图书馆周六开放"].id
    assert rows["市图书馆新馆开放"].duplicate_kind == "near"
    assert rows["秋季马拉松周日开跑"].duplicate_of_id is None


def test_sources_are_shared_between_articles(tmp_path, run_import, session):
    write(tmp_path / "1.txt", text_dump("新图书馆周六开放", PARAGRAPHS))
    write(tmp_path / "2.txt", text_dump("秋季马拉松周日开跑", [
        "一年一度的城市秋季马拉松将于本周日早上七点半鸣枪开跑，预计有三万名跑者参赛。",
        "赛事组委会提醒，比赛期间沿线多条道路将实施临时交通管制，请市民提前规划出行路线。",
    ]))
    run_import(tmp_path)
    assert [s.name for s in session.scalars(select(Source))] == ["滨海晚报"]


TRADITIONAL_CHROME = {
    "欢迎访问": "歡迎訪問", "当前位置": "當前位置", "首页": "首頁", "发布时间": "發布時間",
    "来源": "來源", "【打印】【关闭】": "【列印】【關閉】", "版权所有": "版權所有", "备": "備", "号": "號",
}


def test_gbk_and_big5_files_import(tmp_path, run_import, session):
    write(tmp_path / "gbk.txt", text_dump("新图书馆周六开放", PARAGRAPHS), encoding="gbk")
    big5 = text_dump("秋季馬拉松週日開跑", [
        "一年一度的城市秋季馬拉松將於本週日早上七點半鳴槍開跑，預計有三萬名跑者參賽。",
        "賽事組委會提醒，比賽期間沿線多條道路將實施臨時交通管制，請市民提前規劃出行路線。",
        "今年賽事新增了家庭跑項目，全程約五公里，適合親子共同參與。",
    ], source="濱海晚報", site="江岸新聞網")
    for simplified, traditional in TRADITIONAL_CHROME.items():
        big5 = big5.replace(simplified, traditional)
    write(tmp_path / "big5.txt", big5, encoding="big5")
    report = run_import(tmp_path)
    assert report.counts[Outcome.NEW] == 2, report.errors
    rows = {a.title: a for a in session.scalars(select(Article))}
    assert set(rows) == {"新图书馆周六开放", "秋季馬拉松週日開跑"}
    assert rows["秋季馬拉松週日開跑"].source.name == "濱海晚報"
    assert rows["秋季馬拉松週日開跑"].site_name == "江岸新聞網"


_WORDS = ("图书馆 地铁 公园 医院 学校 菜市场 社区 农田 河道 桥梁 剧院 体育馆 码头 机场 工厂 博物馆 "
          "居民 学生 农民 工人 游客 志愿者 医生 教师 司机 商户 开放 改造 扩建 修缮 调整 延长 "
          "增加 减少 启动 完成 推进 暂停 今年 上午 本周 下月 年底 春季 夏季 秋季 冬季").split()


def _distinct(n: int) -> list[str]:
    """Paragraphs of a story of its own (seeded word salad: no two stories share shingles)."""
    rng = random.Random(n)
    return ["，".join("".join(rng.choices(_WORDS, k=4)) for _ in range(5)) + "。" for _ in range(4)]


def test_parallel_import_stores_in_file_order_with_the_same_outcomes(tmp_path, app, settings, session):
    # Enough files for worker processes; two of them are the same story (found across workers).
    folder = tmp_path / "in"
    for n in range(40):
        write(folder / f"{n:02d}.txt", text_dump(f"第{n}条新闻", _distinct(n)))
    write(folder / "40-reprint.txt", text_dump("第7条新闻", _distinct(7), site="山城资讯网"))
    seen = []
    report = import_files(app.extensions["feedsvc.sessionmaker"], collect_files([folder]), settings=settings,
                          origin="test", jobs=2, on_file=lambda path, outcomes: seen.append((path.name, outcomes)))
    assert [name for name, _ in seen] == sorted(p.name for p in folder.iterdir())
    assert (report.counts[Outcome.NEW], report.counts[Outcome.DUPLICATE]) == (40, 1)
    assert seen[-1][1] == [Outcome.DUPLICATE]
    assert session.scalar(select(func.count()).select_from(Article)) == 41


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_parsing_workers_run_below_the_writer():
    # The writer is the one stage that cannot be parallel: on a machine with no spare core
    # the parsing workers must not take its time slices (issue 11).
    from feedsvc.ingest.importer import parsing_pool

    with parsing_pool(1) as pool:
        assert pool.submit(os.nice, 0).result() == min(19, os.nice(0) + 10)


def test_an_article_that_cannot_be_stored_leaves_nothing_and_the_batch_lands(tmp_path, app, settings, session, monkeypatch):
    fail_after_storing(monkeypatch, "坏文章")
    folder = tmp_path / "in"
    for n, (name, title) in enumerate((("1.txt", "好文章一"), ("2.txt", "坏文章"), ("3.txt", "好文章二"))):
        write(folder / name, text_dump(title, _distinct(n * 10)))
    report = import_files(app.extensions["feedsvc.sessionmaker"], collect_files([folder]), settings=settings,
                          origin="test", jobs=1)
    assert (report.counts[Outcome.NEW], report.failed) == (2, 1)
    assert "2.txt" in report.errors[0][0] and "disk on fire" in report.errors[0][1]
    assert sorted(a.title for a in session.scalars(select(Article))) == ["好文章一", "好文章二"]
    assert session.scalar(select(func.count()).select_from(ArticleBand).where(
        ArticleBand.article_id.not_in(select(Article.id)))) == 0


def test_search_finds_what_an_import_stored_and_nothing_it_took_back(tmp_path, app, settings, session, monkeypatch):
    # The importer indexes a batch for search at its commit (migration 0013); an article whose
    # savepoint was rolled back must not be indexed, though the next article takes its row id.
    from feedsvc.articles import search_articles

    fail_after_storing(monkeypatch, "坏文章")
    folder = tmp_path / "in"
    bodies = {title: _distinct(n * 10 + 3) for n, title in enumerate(("好文章一", "坏文章", "好文章二"))}
    for n, (title, paragraphs) in enumerate(bodies.items()):
        write(folder / f"{n}.txt", text_dump(title, paragraphs))
    report = import_files(app.extensions["feedsvc.sessionmaker"], collect_files([folder]), settings=settings,
                          origin="test", jobs=1)
    assert (report.counts[Outcome.NEW], report.failed) == (2, 1)

    def found(paragraphs):
        return [a.title for a in search_articles(session, paragraphs[1][:8])[0]]

    assert found(bodies["好文章一"]) == ["好文章一"]
    assert found(bodies["好文章二"]) == ["好文章二"]
    assert found(bodies["坏文章"]) == []
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 compares an external-content index with its table, row by row, and raises on a difference.
        session.execute(text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"))


@pytest.mark.parametrize("update_fails", [False, True])
def test_an_article_changed_within_the_batch_that_added_it_stays_searchable(tmp_path, app, settings, session,
                                                                            monkeypatch, update_fails):
    # A batch indexes its new articles for search when it commits (migration 0013). A file
    # named twice in a parallel import, edited between its two reads, is updated within the
    # batch that added it: the index must not be told to drop what it was never given. When
    # the update fails, its savepoint takes back what it indexed, and the commit indexes the
    # first version after all.
    from feedsvc.articles import search_articles
    from feedsvc.ingest import importer
    from feedsvc.ingest.prepare import prepare_file

    if update_fails:
        fail_after_storing(monkeypatch, "第二稿")

    path = write(tmp_path / "in" / "story.txt", text_dump("第一稿", _distinct(7)))
    first = prepare_file(path, [], settings)
    write(path, text_dump("第二稿", _distinct(8)))
    second = prepare_file(path, [], settings)
    report = importer.ImportReport()
    with importer._Writer(app.extensions["feedsvc.sessionmaker"], settings) as writer:
        outcomes = [writer.store_file(str(path), prepared, report, path.name) for prepared in (first, second)]
    kept, gone = ("第一稿", "第二稿") if update_fails else ("第二稿", "第一稿")
    assert outcomes == [[Outcome.NEW], [Outcome.FAILED if update_fails else Outcome.UPDATED]]
    assert [a.title for a in search_articles(session, kept)[0]] == [kept]
    assert search_articles(session, gone)[0] == []
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"))


def _import_distinct_dumps(app, settings, folder, count, *, first):
    """Write ``count`` text dumps of distinct text into ``folder`` and import them in this process."""
    for n in range(count):
        write(folder / f"{n}.txt", text_dump(f"第{n}篇", _distinct(first + n)))
    return import_files(app.extensions["feedsvc.sessionmaker"], collect_files([folder]), settings=settings,
                        origin="test", jobs=1)


def _journal_and_cache(session):
    driver = session.connection().connection.driver_connection
    return (driver.execute("PRAGMA temp_store").fetchone()[0], driver.execute("PRAGMA cache_size").fetchone()[0])


def test_the_importers_batches_keep_their_savepoints_journal_in_memory(tmp_path, app, settings, monkeypatch):
    if db.get_engine(app).dialect.name != "sqlite":
        pytest.skip("SQLite's journal and page cache")
    from feedsvc.ingest import importer

    real, seen = importer.store_article, []

    def store_and_look(session, article, **kwargs):
        seen.append(_journal_and_cache(session))
        return real(session, article, **kwargs)

    monkeypatch.setattr(importer, "store_article", store_and_look)
    assert _import_distinct_dumps(app, settings, tmp_path / "in", 3, first=200).counts[Outcome.NEW] == 3
    assert seen == [(2, -db.BULK_CACHE_KIB)] * 3  # 2: MEMORY


def test_a_pooled_connection_goes_back_to_sqlites_defaults_after_bulk_writes(app):
    engine = db.get_engine(app)
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's journal and page cache")
    from sqlalchemy.orm import Session

    with Session(engine) as plain:
        defaults = _journal_and_cache(plain)
        driver = plain.connection().connection.driver_connection
    with Session(engine) as bulk:
        bulk.connection(execution_options={"sqlite_bulk_writes": True})
        assert bulk.connection().connection.driver_connection is driver  # the pool handed it back
        assert _journal_and_cache(bulk) == (2, -db.BULK_CACHE_KIB)
    with Session(engine) as after:
        assert after.connection().connection.driver_connection is driver
        assert _journal_and_cache(after) == defaults
        assert defaults[0] != 2 and defaults[1] != -db.BULK_CACHE_KIB


def _sqlite_plan(session, statement, params):
    conn = session.connection()
    sql, args = statement._sql_and_args(conn, params)
    return " ".join(row[3] for row in conn.connection.driver_connection.execute("EXPLAIN QUERY PLAN " + sql, args))


def test_near_duplicate_candidates_are_read_from_the_band_index_alone(app, session):
    """Pages sharing phrasing share band keys by the hundred: a table read for each row found
    made storing a page grow with the store (0.8 to 4.0 ms over 10,000 saved pages)."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    from feedsvc.ingest import store

    plan = _sqlite_plan(session, store._band_members(3), {"band0": "a", "band1": "b", "band2": "c"})
    assert plan == "SEARCH article_bands USING COVERING INDEX ix_article_bands_band_article (band=?)"


def test_exact_copies_are_looked_up_by_text_and_by_url_through_their_indexes(app, session):
    """Asked for either at once, SQLite walked every canonical article for each one stored."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    from feedsvc.ingest import store

    assert _sqlite_plan(session, store._EXACT_BY_TEXT, {"chash": "x"}) == (
        "SEARCH articles USING INDEX ix_articles_content_hash (content_hash=?)")
    assert _sqlite_plan(session, store._EXACT_BY_URL, {"url": "https://example.org/a"}) == (
        "SEARCH articles USING INDEX ix_articles_original_url (original_url=?)")


MARATHON = [
    "一年一度的城市秋季马拉松将于本周日早上七点半鸣枪开跑，预计有三万名跑者参赛。",
    "赛事组委会提醒，比赛期间沿线多条道路将实施临时交通管制，请市民提前规划出行路线。",
    "今年赛事新增了家庭跑项目，全程约五公里，适合亲子共同参与。",
]


@pytest.mark.parametrize("first_shares", ["url", "text"])
def test_an_exact_copy_is_linked_to_the_first_article_with_its_text_or_its_source(
        tmp_path, run_import, session, first_shares):
    """One stored article has the new one's text, another its original URL: the earlier one
    is the canonical, whichever of the two lookups found it."""
    url = "https://news.example.cn/city/1.html"
    by_url = text_dump("秋季马拉松周日开跑", MARATHON, original=url)
    by_text = text_dump("新图书馆周六开放", PARAGRAPHS)
    first, second = (by_url, by_text) if first_shares == "url" else (by_text, by_url)
    write(tmp_path / "1.txt", first)
    write(tmp_path / "2.txt", second)
    write(tmp_path / "3.txt", text_dump("新图书馆周六开放", PARAGRAPHS, site="山城资讯网", original=url))
    report = run_import(tmp_path)
    assert (report.counts[Outcome.NEW], report.counts[Outcome.DUPLICATE]) == (2, 1)
    one, two, three = session.scalars(select(Article).order_by(Article.id)).all()
    assert (two.duplicate_of_id, three.duplicate_of_id, three.duplicate_kind) == (None, one.id, "exact")


def test_an_import_never_holds_the_write_lock_while_it_parses(tmp_path, app, settings, monkeypatch):
    """Subscribing or signing in during an import must not wait for it (SQLite has one write lock)."""
    import sqlite3

    from feedsvc import db
    from feedsvc.ingest import importer

    engine = db.get_engine(app)
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    real, free = importer.prepare_file, []

    def parse_after_trying_a_write(*args):
        other = sqlite3.connect(engine.url.database, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        return real(*args)

    monkeypatch.setattr(importer, "prepare_file", parse_after_trying_a_write)
    assert _import_distinct_dumps(app, settings, tmp_path / "in", 4, first=100).counts[Outcome.NEW] == 4
    assert free == [True] * 4


@pytest.mark.parametrize("answer_after, open_for, ends_batch", [
    (0.0, 0.05, False),  # parsed already: nothing to wait for
    (0.02, 10.0, False),  # a short wait keeps the batch open: a commit per wait was most of storing
    (0.3, 0.05, True),  # the batch falls due during the wait: it ends there, not after
    (0.3, None, False),  # no batch open, nothing to end
])
def test_waiting_for_the_workers_ends_the_writers_batch_only_once_it_is_due(answer_after, open_for, ends_batch):
    import threading
    from concurrent.futures import Future

    from feedsvc.ingest.importer import _when_done

    future, events = Future(), []
    if answer_after:
        threading.Timer(answer_after, lambda: (events.append("parsed"), future.set_result("articles"))).start()
    else:
        future.set_result("articles")
    assert _when_done(future, idle=lambda: events.append("batch ended"), due=lambda: open_for) == "articles"
    if ends_batch:
        assert events == ["batch ended", "parsed"]
    else:
        assert "batch ended" not in events


def test_a_writers_batch_is_due_once_it_has_been_open_long_enough(app, settings, monkeypatch):
    from feedsvc.ingest import importer

    writer = importer._Writer(app.extensions["feedsvc.sessionmaker"], settings)
    assert writer.due() is None  # no batch open
    with writer:
        writer._session()
        assert 0 < writer.due() <= importer._OPEN_SECONDS
        monkeypatch.setattr(importer, "_OPEN_SECONDS", 0.0)
        assert writer.due() == 0
        writer.commit()
        assert writer.due() is None


def test_an_import_bumps_the_store_version_once_a_batch_and_only_for_a_change(tmp_path, app, settings, session):
    from feedsvc.models import current_store_version

    folder = tmp_path / "in"
    stories = [{"title": f"第{n}条新闻", "text": "\n\n".join(_distinct(n))} for n in range(3)]
    write(folder / "three.json", json.dumps(stories, ensure_ascii=False))  # one file, one batch
    make_session = app.extensions["feedsvc.sessionmaker"]

    def version_after_import() -> int:
        import_files(make_session, collect_files([folder]), settings=settings, origin="test", jobs=1)
        with make_session() as fresh:
            return current_store_version(fresh)

    with make_session() as fresh:
        before = current_store_version(fresh)
    first = version_after_import()
    assert first == before + 1  # the feeds' caches see the three new articles, bumped once
    assert version_after_import() == first  # nothing changed, no feed cache thrown away
    stories[1]["text"] = "\n\n".join(_distinct(1)[:2])
    write(folder / "three.json", json.dumps(stories, ensure_ascii=False))
    assert version_after_import() == first + 1
