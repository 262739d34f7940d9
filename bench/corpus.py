"""Deterministic synthetic article corpus for the import and feed benchmarks."""
from __future__ import annotations

import argparse
import html
import json
import random
import string
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

FILES_PER_DIR = 1000
REPRINT_RATE = 0.05
LATEST = datetime(2026, 11, 27, 18, 0)
SPAN_MINUTES = 90 * 24 * 60
CST = timezone(timedelta(hours=8))

# (site name, url slug, the site's own paper)
ZH_SITES = [
    ("青湾新闻网", "qingwan", "青湾日报"), ("澄溪新闻网", "chengxi", "澄溪日报"),
    ("松湄新闻网", "songmei", "松湄科技报"), ("鹭洲在线", "luzhou", "鹭洲晨报"),
    ("柳岸新闻网", "liuan", "柳岸都市报"), ("南屿资讯网", "nanyu", "南屿晚报"),
    ("栖川新闻网", "qichuan", "栖川日报"), ("石渠在线", "shiqu", "石渠周刊"),
]
EN_SITES = [
    ("The Ferncastle Courier", "courier"), ("Northvale Weekly", "northvale"),
    ("Millhaven Post", "millhaven"), ("Ashcombe Herald", "ashcombe"),
    ("Kestrel Bay Times", "kestrel"),
]
ZH_CATEGORIES = "城市 文化 科技 教育 民生 交通 环境 体育 天气".split()
EN_CATEGORIES = "City Culture Science Technology Education Transport Environment Sports Weather".split()

SURNAMES = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹".split()
GIVEN = "晓 思 雨 文 佳 子 明 宇 欣 浩 婷 琳 涛 静 远 清 岚 航 怡 哲 然 嘉 悦 凡 睿 彤 安 宁 博 一".split()
EN_FIRST = "Anna Ben Clara David Elena Farid Grace Hugo Ines Jonas Kofi Lena Marco Nadia Omar Priya Rosa Sam Tess Yuki".split()
EN_LAST = "Abbott Brennan Castell Dorsey Ekwueme Fairley Grant Holm Ivers Jansen Kerr Lund Mercer Novak Orr Pike Quinlan Reyes Sato Thorne".split()

ZH = {
    "conn": "据介绍 据了解 记者注意到 与此同时 此外 另外 值得一提的是 下一步 目前 总体来看 从现场看 按照计划 "
            "业内人士认为 相关负责人表示 截至目前 从数据看 在此基础上 近年来".split(),
    "subj": "市交通部门 区文化馆 社区工作人员 项目建设单位 市气象台 科研团队 市图书馆 公园管理处 主办方 街道办事处 "
            "志愿者团队 市博物馆 环保部门 供水公司 公交集团 市体育中心 区教育局 园林部门 城管部门 高校研究人员 "
            "市科技馆 文旅部门 物业公司 社区卫生服务中心 市档案馆 青年志愿者协会 地铁运营公司 市政设计院 "
            "气象观测站 河道管理处".split(),
    "time": "近日 本月中旬 本周末 今年以来 上周 昨天上午 下个月起 入冬以来 国庆假期期间 今年下半年 "
            "本周一 上月底 前不久 当天下午 十一月初 近期 同日 连日来 本周三 日前".split(),
    "when": "年底前 明年春季 下个月 春节前 明年上半年 本周内 月底前 寒假期间 明年三月 今冬".split(),
    "place": "滨江大道 南湖片区 老城区 高新区 湿地公园 文化广场 会展中心 火车站周边 城东片区 河滨步道 "
             "体育中心 中心城区 北部新城 科技园 老街 港区 大学城 东湖公园 西山脚下 新区 "
             "人民路沿线 城南 江心洲 植物园 旧厂房片区 社区服务中心 市民广场 环城绿道 码头一带 西郊".split(),
    "verb": "完成了 启动了 推出了 开放了 调整了 升级了 新增了 组织了 发布了 试行了 "
            "建成了 改造了 扩建了 举办了 上线了 布设了 优化了 恢复了 更新了 投用了".split(),
    "verb2": "正式投用 全面开放 启动建设 完成验收 试运行 分批实施 对外发布 扩大范围 延长时间 免费开放".split(),
    "obj": "改造工程 志愿服务活动 夜间开放 监测网络 公交线路 阅读推广活动 书画展览 便民服务点 充电设施 "
           "步行道 雨水管网 社区食堂 口袋公园 自行车道 科普讲座 非遗展演 智能路灯 垃圾分类站 老旧小区加装电梯 "
           "停车泊位 学生托管服务 健身步道 空气质量监测点 城市书房 天文观测活动 社区合唱团 地下通道 "
           "人行天桥 防汛设施 绿化工程 数字档案系统 无障碍设施 候鸟观测站 市民运动会 少儿编程课 "
           "公共自行车站点 文化惠民演出 夜间集市 古树保护工程".split(),
    "result": "方便了周边居民出行 受到市民普遍欢迎 预计年底前全部完成 将分阶段实施 进一步提升了服务水平 "
              "缓解了高峰时段的拥堵 吸引了不少年轻人参与 为后续工作积累了经验 得到了沿线居民的支持 "
              "有效改善了周边环境 让更多家庭从中受益 填补了这一区域的空白 运行情况总体平稳 "
              "将持续收集市民意见 也为周边商户带来了客流 相关数据将定期公布 "
              "参与人数比往年明显增加 市民可通过官方网站预约 目前各项设备运转正常 后续还将扩大覆盖范围".split(),
    "state": "基本完工 全部到位 调试完毕 进入收尾阶段 投入使用 陆续开放 初具规模 安装完成".split(),
    "quote": "以前要绕很远的路，现在方便多了 孩子周末终于有地方可去了 希望这样的活动能多办几次 "
             "环境比以前好了很多，晚上散步也放心 没想到手续这么快就办好了 家门口就能看展览，很难得 "
             "早上出门不再那么堵了 服务很周到，设施也很新".split(),
    "who": "一位市民 家住附近的居民 一名参观者 一位老人 一名学生 一位家长 一名志愿者 一位店主".split(),
    "unit": "个 处 项 场 条 座 所 台".split(),
}
ZH_TEMPLATES = [
    "{conn}，{subj}{time}在{place}{verb}{obj}，{result}。",
    "{subj}表示，{place}的{obj}将于{when}{verb2}，{result}。",
    "{time}，{place}共{verb}{obj}{num}{unit}，比去年同期增长{pct}%。",
    "记者在{place}看到，{obj}已{state}，{result}。",
    "“{quote}。”{who}告诉记者。",
    "{conn}，{subj}还将{verb2}{obj}，并在{place}增设{num}{unit}{obj}。",
    "{time}，{subj}在{place}{verb}{obj}，累计接待{big}人次。",
    "{conn}，{obj}的总投资约{num}亿元，{result}。",
]
ZH_TAILS = "预计年底投用 市民可免费参与 首日迎客逾千人次 惠及周边居民 下月起试运行 今起开放预约 完成阶段性任务 将分批推进".split()

EN = {
    "conn": ["According to the organizers", "Meanwhile", "In addition", "So far", "Elsewhere", "As planned",
             "Separately", "By comparison", "For now", "At the same time", "In the meantime", "On the whole"],
    "subj": ["the transport office", "the county library", "volunteers from the neighbourhood association",
             "researchers at the regional university", "the parks department", "the organizers",
             "the water utility", "the museum", "the school district", "the harbour authority",
             "the weather office", "the bus operator", "the city archive", "the arts council",
             "the public works team", "a local repair cafe"],
    "time": ["on Tuesday", "earlier this month", "this weekend", "since the summer", "last week",
             "on Friday morning", "over the past year", "at the start of November", "this autumn", "on Monday"],
    "when": ["by next spring", "before the end of the year", "in early December", "next month",
             "over the winter", "by the summer", "within two weeks", "in the new year"],
    "place": ["along Harbour Road", "in the old town", "near the ferry terminal", "on the east side",
              "around the market square", "by the reservoir", "at Hilltop Park", "in the university district",
              "on the riverside footpath", "near the central station", "in the northern suburbs",
              "around the convention hall", "at the community centre", "along the ring road"],
    "verb": ["opened", "completed", "launched", "expanded", "tested", "upgraded", "repaired", "extended",
             "installed", "reopened", "introduced", "resurfaced"],
    "obj": ["a new cycle route", "the riverside footpath", "an evening reading program", "a water-quality sensor network",
            "a pop-up repair workshop", "two electric bus routes", "a night market", "the public swimming pool",
            "a community garden", "new street lighting", "a stargazing evening", "the children's reading room",
            "a flood barrier", "a free coding class", "the heritage walking trail", "a makerspace",
            "an air-quality monitor", "a winter warm room", "accessible crossings", "a folk music festival"],
    "result": ["which should shorten commutes for thousands of residents",
               "drawing steady crowds on its first days", "with the remaining work due in phases",
               "and feedback so far has been largely positive", "which has eased congestion at rush hour",
               "giving families a new place to spend weekends", "and the figures will be published every quarter",
               "though some residents asked for longer opening hours", "and bookings can be made on the city website",
               "with more locations planned if demand holds up"],
    "quote": ["It used to take me twice as long to get here", "The kids finally have somewhere to go on Saturdays",
              "I hope they keep doing this every year", "It feels much safer walking home at night now",
              "I did not expect it to be this busy on a weekday", "Having this so close to home makes a real difference"],
    "who": ["one resident", "a regular visitor", "a parent waiting outside", "a shop owner nearby",
            "a volunteer at the entrance", "a retired teacher", "a student"],
}
EN_TEMPLATES = [
    "{Conn}, {subj} {verb} {obj} {place} {time}, {result}.",
    "{Subj} said {obj} {place} would be ready {when}, {result}.",
    "{Time}, {subj} counted {big} visitors to {obj}, up {pct} percent on last year.",
    "\"{quote},\" said {who}.",
    "{Conn}, {subj} plans to add {num} more sites {when}.",
    "The work on {obj} cost about {num} million, {result}.",
]
EN_TAILS = ["now open to the public", "set for spring completion", "back after repairs", "in trial run",
            "ready before winter", "in final phase", "to expand next year"]

_FIELDS = {t: [f for _, f, _, _ in string.Formatter().parse(t) if f] for t in ZH_TEMPLATES + EN_TEMPLATES}


@dataclass(frozen=True)
class _Article:
    """One generated story, independent of the page it is saved in."""

    lang: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]
    category: str
    source: str
    author: str
    published: datetime
    url: str
    site: tuple
    reprint_of: str | None = None


def _page_url(site: tuple, lang: str, published: datetime, index: int) -> str:
    if lang == "zh":
        return f"https://news.example.cn/{site[1]}/{published:%Y/%m%d}/{index:07d}.html"
    return f"https://www.example.org/{site[1]}/{published:%Y/%m/%d}/story-{index:07d}"


class _Generator:
    """All random choices go through one seeded ``Random``, so a seed fixes every byte."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _fill(self, template: str, pools: dict) -> str:
        rng = self.rng
        values = {}
        for name in _FIELDS[template]:
            key = name.lower()
            if key == "num":
                values[name] = str(rng.randint(2, 48))
            elif key == "big":
                values[name] = str(rng.randint(300, 98000))
            elif key == "pct":
                values[name] = str(rng.randint(3, 65))
            else:
                word = rng.choice(pools[key])
                values[name] = word[0].upper() + word[1:] if name[0].isupper() else word
        return template.format_map(values)

    def sentence(self, lang: str) -> str:
        if lang == "zh":
            return self._fill(self.rng.choice(ZH_TEMPLATES), ZH)
        return self._fill(self.rng.choice(EN_TEMPLATES), EN)

    def author(self, lang: str) -> str:
        rng = self.rng
        if lang == "zh":
            return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"

    def article(self, index: int, lang: str) -> _Article:
        rng = self.rng
        published = LATEST - timedelta(minutes=rng.randrange(SPAN_MINUTES))
        if lang == "zh":
            site = rng.choice(ZH_SITES)
            title = f"{rng.choice(ZH['place'])}{rng.choice(ZH['obj'])}{rng.choice(ZH['verb2'])} {rng.choice(ZH_TAILS)}"
            category, source = rng.choice(ZH_CATEGORIES), site[2]
        else:
            site = rng.choice(EN_SITES)
            obj = rng.choice(EN["obj"])
            title = f"{obj[0].upper()}{obj[1:]} {rng.choice(EN['place'])} {rng.choice(EN_TAILS)}"
            category, source = rng.choice(EN_CATEGORIES), site[0]
        # English sentences run about twice the bytes of Chinese ones; fewer keep the sizes alike.
        per_paragraph = (2, 4) if lang == "zh" else (1, 3)
        paragraphs = tuple(
            tuple(self.sentence(lang) for _ in range(rng.randint(*per_paragraph)))
            for _ in range(rng.randint(6, 10))
        )
        return _Article(lang, title, paragraphs, category, source, self.author(lang), published,
                        _page_url(site, lang, published, index), site)

    def reprint(self, index: int, original: _Article) -> _Article:
        """A copy of ``original`` on another site, hours later, with one sentence rewritten."""
        rng = self.rng
        sites = ZH_SITES if original.lang == "zh" else EN_SITES
        site = rng.choice([s for s in sites if s != original.site])
        paragraphs = [list(p) for p in original.paragraphs]
        target = rng.choice(paragraphs)
        target[rng.randrange(len(target))] = self.sentence(original.lang)
        published = original.published + timedelta(minutes=rng.randint(30, 48 * 60))
        return replace(original, paragraphs=tuple(map(tuple, paragraphs)), site=site, published=published,
                       url=_page_url(site, original.lang, published, index), reprint_of=original.url)

    def related(self, lang: str) -> list[str]:
        rng = self.rng
        if lang == "zh":
            return [f"{rng.choice(ZH['place'])}{rng.choice(ZH['obj'])}{rng.choice(ZH['verb2'])}" for _ in range(3)]
        return [f"{rng.choice(EN['obj']).capitalize()} {rng.choice(EN_TAILS)}" for _ in range(3)]


def _render_text(gen: _Generator, art: _Article) -> str:
    """A scraper's plain-text dump of a Chinese news page, chrome included."""
    rng = gen.rng
    colon = rng.choice([":", "："])
    site_name, _, paper = art.site
    own_report = art.reprint_of is None and rng.random() < 0.5
    stamp = art.published.strftime(rng.choice(["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日 %H:%M"]))
    crumb = rng.choice([f"当前位置{colon}首页 > {art.category} > 正文",
                        f"您现在的位置{colon}首页 > {art.category} > 正文",
                        f"当前位置{colon}首页 >> {art.category}频道 >> 正文"])
    sep = rng.choice([" ", "　", "  "])
    lines = [
        f"{site_name} | {rng.choice(['城市 · 民生 · 文化', '权威发布 本地资讯', f'{paper}社主办'])}",
        rng.choice([f"欢迎访问{site_name}!", f"欢迎访问{site_name}！", f"欢迎光临{site_name}"]),
        crumb, "", art.title, "",
        sep.join([f"发布时间{colon}{stamp}", f"来源{colon}{art.source}", f"作者{colon}记者 {art.author}"]),
        "",
    ]
    for i, para in enumerate(art.paragraphs):
        lead = f"本报讯（记者 {art.author}）" if own_report and i == 0 else ""
        lines += ["　　" + lead + "".join(para), ""]
    if art.reprint_of:
        lines += [f"本文转载自{art.source} 原文链接{colon}{art.reprint_of}", ""]
    if own_report or rng.random() < 0.3:
        lines += [f"责任编辑{colon}{gen.author('zh')}", ""]
    lines += [rng.choice(["【打印】【关闭】", "【打印】【关闭】【返回顶部】", "【打印本页】【关闭窗口】"]),
              f"分享到{colon} 微信 微博", "", "相关新闻"]
    lines += [f"· {t}" for t in gen.related("zh")]
    lines += ["", f"Copyright © {art.published.year} {site_name} 版权所有",
              f"ICP备案号{colon}示ICP备{rng.randrange(10**8):08d}号-{rng.randint(1, 5)}", ""]
    return "\n".join(lines)


def _render_html(gen: _Generator, art: _Article) -> str:
    """A saved news page: head metadata, nav, breadcrumb, article body, related links, footer."""
    rng = gen.rng
    esc = html.escape
    zh = art.lang == "zh"
    site_name = art.site[0]
    if zh:
        stamp = art.published.replace(tzinfo=CST).isoformat()
        categories, home, crumb_sep = ZH_CATEGORIES, "首页", " &gt; "
        page_title = f"{art.title}_{art.category}_{site_name}"
        info = f"来源：{esc(art.source)}　时间：{art.published:%Y-%m-%d %H:%M}　作者：{esc(art.author)}"
    else:
        stamp = art.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        categories, home, crumb_sep = EN_CATEGORIES, "Home", " › "
        page_title = f"{art.title} | {site_name}"
        info = f"By {esc(art.author)} · {art.published:%B %d, %Y} · Source: {esc(art.source)}"
    body = ["".join(p) if zh else " ".join(p) for p in art.paragraphs]
    ps = [f"<p>{esc(t, quote=False)}</p>" for t in body]
    ps.insert(rng.randint(1, len(ps) - 1), f'<p><img src="images/{rng.randrange(10**6):06d}.jpg" alt=""></p>')
    if art.reprint_of:
        label = "原文链接" if zh else "Originally published at"
        ps.append(f'<p class="origin">{label}: <a href="{esc(art.reprint_of)}">{esc(art.reprint_of)}</a></p>')
    nav = "".join(f'<li><a href="/{c.lower()}/">{c}</a></li>' for c in categories)
    related = "".join(f'<li><a href="../{rng.randrange(10**7):07d}.html">{esc(t)}</a></li>'
                      for t in gen.related(art.lang))
    author_meta = "" if zh else f'<meta name="author" content="{esc(art.author)}">\n'
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if zh else 'en'}">
<head>
<meta charset="utf-8">
<title>{esc(page_title)}</title>
<meta name="description" content="{esc(body[0][:80])}">
{author_meta}<meta property="og:type" content="article">
<meta property="og:title" content="{esc(art.title)}">
<meta property="og:site_name" content="{esc(site_name)}">
<meta property="og:url" content="{art.url}">
<meta property="article:published_time" content="{stamp}">
<meta property="article:section" content="{esc(art.category)}">
<link rel="canonical" href="{art.url}">
</head>
<body>
<div class="nav"><ul><li><a href="/">{home}</a></li>{nav}</ul></div>
<div class="breadcrumb"><a href="/">{home}</a>{crumb_sep}<a href="/{art.category.lower()}/">{esc(art.category)}</a></div>
<div class="main">
<h1>{esc(art.title)}</h1>
<div class="article-info">{info}</div>
<div class="article-content">
{chr(10).join(ps)}
</div>
<div class="related"><h3>{'相关新闻' if zh else 'Related'}</h3><ul>{related}</ul></div>
</div>
<div class="footer"><p><a href="/about/">{'关于我们' if zh else 'About'}</a></p><p>Copyright © {art.published.year} {esc(site_name)}</p></div>
</body>
</html>
"""


def generate_corpus(dest: Path, n: int, kind: str, seed: int = 0) -> list[Path]:
    """Write ``n`` synthetic articles of ``kind`` ('text' or 'html') under ``dest``; same seed, same bytes."""
    if kind not in ("text", "html"):
        raise ValueError(f"kind must be 'text' or 'html', not {kind!r}")
    gen = _Generator(seed)
    originals: list[_Article] = []
    paths, reprints = [], []
    for i in range(n):
        if originals and gen.rng.random() < REPRINT_RATE:
            art = gen.reprint(i, gen.rng.choice(originals))
            reprints.append(i)
        else:
            art = gen.article(i, "zh" if kind == "text" or gen.rng.random() < 0.5 else "en")
            originals.append(art)
        folder = Path(dest) / f"{i // FILES_PER_DIR:04d}"
        if i % FILES_PER_DIR == 0:
            folder.mkdir(parents=True, exist_ok=True)
        if kind == "text":
            path, data = folder / f"{i:07d}.txt", _render_text(gen, art)
        else:
            path, data = folder / f"{i:07d}.html", _render_html(gen, art)
        path.write_bytes(data.encode("utf-8"))
        paths.append(path)
    # Hidden (the importer skips dot files): how many reprints were planted, so a benchmark can
    # say how many of them the importer found.
    (Path(dest) / ".manifest.json").write_text(json.dumps({"files": n, "reprints": reprints}))
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a corpus and report what was written."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--kind", choices=("text", "html"), default="text")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate_corpus(args.dest, args.n, args.kind, args.seed)
    elapsed = time.perf_counter() - started
    written = [p for p in paths if p.is_file()]
    sizes = [p.stat().st_size for p in written]
    print(f"{len(written)} of {args.n} files, {sum(sizes)} bytes"
          f" (min {min(sizes, default=0)}, max {max(sizes, default=0)}) in {elapsed:.2f}s -> {args.dest}")
    return 0 if len(written) == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
