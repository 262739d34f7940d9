"""What a saved HTML page says about itself: <meta> tags, Open Graph, JSON-LD, <link>."""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from feedsvc.ingest.fields import primary_language
from feedsvc.sanitize import is_safe_url

_ARTICLE_TYPES = {
    "NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "Report", "TechArticle",
}
# Sites append their name to <title> behind one of these.
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—_·]\s+|\s*[|｜_－—]\s*")
# Meta names that carry the same field, most specific first.
_META_NAMES = {
    "title": ("og:title", "twitter:title", "ArticleTitle"),
    "site_name": ("og:site_name", "application-name", "SiteName"),
    "summary": ("og:description", "description", "twitter:description"),
    # Publication times CMSs declare, by name (property, name or itemprop), specific ones first;
    # JSON-LD's datePublished comes after these and before the generic ones below.
    "published": (
        "article:published_time", "og:published_time", "article:published", "datepublished",
        "publishdate", "publish_date", "publish-date", "pubdate", "publishtime", "publish_time",
        "ptime", "firstpublishedtime", "og:release_date", "parsely-pub-date", "sailthru.date",
        "dc.date.issued", "dcterms.issued", "weibo:article:create_at", "datecreated",
    ),
    "published_generic": ("date", "dc.date", "dcterms.date", "dcterms.created"),
    "author": ("author", "article:author", "dc.creator"),
    "source_name": ("source", "ContentSource"),
    "category": ("article:section", "ColumnName", "section"),
    "url": ("og:url",),
    "locale": ("og:locale", "content-language", "language"),
}


def page_metadata(tree: HtmlElement) -> dict:
    """The article fields a page declares in its head (and JSON-LD), by ParsedArticle name."""
    meta = _meta_values(tree)
    ld = _json_ld_article(tree)
    found: dict = {}
    for field, names in _META_NAMES.items():
        for name in names:
            if meta.get(name.lower()):
                found[field] = meta[name.lower()][0]
                break
    found["tags"] = meta.get("article:tag", [])
    if found.get("author", "").startswith("http"):
        del found["author"]  # article:author is often a profile URL, not a name

    found.setdefault("title", _text(ld.get("headline")))
    found.setdefault("published", _text(ld.get("datePublished")) or found.get("published_generic"))
    found.pop("published_generic", None)
    found["keywords"] = _keywords(meta.get("keywords", [""])[0]) or _keywords(ld.get("keywords"))
    found.setdefault("author", _names(ld.get("author")))
    found.setdefault("site_name", _names(ld.get("publisher")))
    found.setdefault("category", _text(ld.get("articleSection")))
    found.setdefault("summary", _text(ld.get("description")))
    if not found["tags"]:
        found["tags"] = _keywords(ld.get("keywords"))
    found["lang"] = _lang(tree, found.pop("locale", None) or _text(ld.get("inLanguage")))
    found["canonical_url"] = _canonical(tree, found.pop("url", None), ld)
    found["base_url"] = found["canonical_url"] or _base_href(tree)
    found["page_title"] = _page_title(tree, found.get("site_name")) or _wrapper_title(tree)
    found["title_site"] = _title_site(tree, found.get("page_title"))
    return {k: v for k, v in found.items() if v}


def _meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
        content = (element.get("content") or "").strip()
        if key and content:
            values.setdefault(key.strip().lower(), []).append(content)
    return values


def _json_ld_article(tree: HtmlElement) -> dict:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue  # broken JSON-LD is common and says nothing we must have
        for item in _json_ld_items(data):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if _ARTICLE_TYPES.intersection(t for t in types if isinstance(t, str)):
                return item
    return {}


def _json_ld_items(data) -> list[dict]:
    if isinstance(data, list):
        return [i for d in data for i in _json_ld_items(d)]
    if isinstance(data, dict):
        return [data] + _json_ld_items(data.get("@graph", []))
    return []


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _names(value) -> str | None:
    """A name, or several joined, from JSON-LD Person/Organization values."""
    items = value if isinstance(value, list) else [value]
    names = [i.get("name") if isinstance(i, dict) else i for i in items]
    names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    return ", ".join(names) or None


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；]", value)
    if not isinstance(value, list):
        return []
    return [k.strip() for k in value if isinstance(k, str) and k.strip()]


def _lang(tree: HtmlElement, declared: str | None) -> str | None:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or declared
    return primary_language(value)


def _canonical(tree: HtmlElement, og_url: str | None, ld: dict) -> str | None:
    links = tree.xpath('//link[@href][contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    main_entity = ld.get("mainEntityOfPage")
    ld_url = ld.get("url") or (main_entity.get("@id") if isinstance(main_entity, dict) else main_entity)
    for url in [*links, og_url, ld_url if isinstance(ld_url, str) else None]:
        if not url:
            continue
        url = url.strip()
        if not is_safe_url(url) and is_safe_url(og_url):
            url = urljoin(og_url, url)  # a relative canonical, resolved against og:url
        if is_safe_url(url):
            return url
    return None


def _base_href(tree: HtmlElement) -> str | None:
    hrefs = tree.xpath("//base/@href")
    return hrefs[0].strip() if hrefs and is_safe_url(hrefs[0]) else None


def _title_site(tree: HtmlElement, headline: str | None) -> str | None:
    """The site's name as <title> gives it after the headline ("Headline_网易新闻", "Story - Site")."""
    title = " ".join((tree.findtext(".//title") or "").split())
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) < 2 or not headline or parts[-1] == headline or headline not in title:
        return None
    return parts[-1] if len(parts[-1]) <= 30 else None


def _wrapper_title(tree: HtmlElement) -> str | None:
    """A title a crawler kept in an attribute of the page's wrapper (<html title>, data-title)."""
    for value in tree.xpath("/html/@title|/html/body/@title|//*[@data-title][1]/@data-title"):
        value = " ".join(value.split())
        if value:
            return value
    return None


def _page_title(tree: HtmlElement, site_name: str | None) -> str | None:
    """The article title from <title> and the page's <h1>, without the site's name."""
    title = " ".join((tree.findtext(".//title") or "").split())
    headings = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    headings = [h for h in headings if h and h != site_name]
    for heading in headings:
        if not title or heading in title:
            return heading
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p and p != site_name]
    if len(parts) > 1:
        return max(parts, key=len)  # "Story headline - Section - Site": the headline is longest
    return parts[0] if parts else (headings[0] if headings else None)
