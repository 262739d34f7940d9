"""Cases the benchmark corpora turned up: a role before the author's name, an English reprint line."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from feedsvc.ingest.parse import parse_bytes

TZ = ZoneInfo("Asia/Shanghai")
BODY = "\n\n".join([
    "\u3000\u3000本报讯（记者 周明）市图书馆新馆于本周六正式向公众开放，新馆建筑面积约两万平方米。",
    "\u3000\u3000新馆首批上架图书约四十万册，并引入自助借还设备，读者持身份证即可办理借阅手续。",
    "\u3000\u3000开馆当天，馆方举办了城市阅读分享会，多位本地作家与读者交流写作经历。",
])


def test_role_word_is_not_part_of_the_author():
    dump = f"江岸新闻网\n\n新图书馆周六开放\n\n发布时间：2026-11-20 09:30 来源：滨海晚报 作者：记者 周明\n\n{BODY}\n"
    [article] = parse_bytes(dump.encode(), "a.txt", tz=TZ)
    assert article.author == "周明"


def test_originally_published_at_names_the_original():
    page = """<!doctype html><html lang="en"><head><title>Ferry returns</title></head><body>
    <article><h1>Harbour ferry returns</h1>
    <p>The harbour ferry resumed service on Monday after a month of repairs to its engines.</p>
    <p>Commuters welcomed the shorter trip across the bay, and the operator added two sailings.</p>
    <p>Originally published at: <a href="https://www.example.org/bay/ferry">https://www.example.org/bay/ferry</a></p>
    </article></body></html>"""
    [article] = parse_bytes(page.encode(), "a.html", tz=TZ)
    assert article.original_url == "https://www.example.org/bay/ferry"
    assert "Originally published" not in article.text
