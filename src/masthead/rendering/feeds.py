"""The machine-readable files of a release: ``sitemap.xml`` (sitemaps.org) and Atom feeds.

Built with ``xml.etree.ElementTree``, so every title, summary and URL is XML-escaped by the
serialiser; characters XML 1.0 cannot carry at all (most control characters) are removed
first, or the file would not parse. Naive datetimes are taken as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from masthead.rendering.fields import field_text
from masthead.rendering.models import Page, Site

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entries: stable bytes
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Kept as they are in a route: RFC 3986's reserved and unreserved characters, and "%" so an
# already-encoded route is not encoded twice.
_URL_SAFE = "/:@!$&'()*+,;=-._~%?#"


def sitemap_xml(base_url: str, entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    """A sitemaps.org ``urlset``: one ``url`` per (route, last modified) entry."""
    urlset = Element("urlset", {"xmlns": SITEMAP_NS})
    for route, lastmod in entries:
        url = SubElement(urlset, "url")
        _text(url, "loc", absolute_url(base_url, route))
        if lastmod is not None:
            _text(url, "lastmod", _utc(lastmod).isoformat())
    return _serialise(urlset)


def atom_feed(
    site: Site, title: str, route: str, pages: Sequence[Page], *, self_route: str | None = None
) -> bytes:
    """An Atom 1.0 feed of ``pages`` for the collection page at ``route`` (the feed's id and
    its alternate link); ``self_route``, when given, is where the feed itself is served."""
    entries = [(page, _updated(page)) for page in pages]
    updated = max((moment for _, moment in entries if moment is not None), default=EPOCH)
    feed = Element("feed", {"xmlns": ATOM_NS, "xml:lang": _clean(site.language)})
    feed_url = absolute_url(site.base_url, route)
    _text(feed, "id", feed_url)
    _text(feed, "title", title or site.name)
    _text(feed, "updated", updated.isoformat())
    SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": feed_url})
    if self_route is not None:
        self_url = absolute_url(site.base_url, self_route)
        SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    author = SubElement(feed, "author")
    _text(author, "name", site.name)
    for page, moment in entries:
        entry = SubElement(feed, "entry")
        url = absolute_url(site.base_url, page.route)
        _text(entry, "id", url)
        _text(entry, "title", page.title)
        SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
        _text(entry, "updated", (moment or updated).isoformat())
        if page.published_at is not None:
            _text(entry, "published", _utc(page.published_at).isoformat())
        summary = field_text(page, "excerpt") or field_text(page, "metaDescription")
        if summary:
            _text(entry, "summary", summary)
    return _serialise(feed)


def absolute_url(base_url: str, route: str) -> str:
    """``base_url`` + ``route``, the route percent-encoded where a URL needs it."""
    path = route if route.startswith("/") else "/" + route
    return base_url.rstrip("/") + quote(path, safe=_URL_SAFE)


def _updated(page: Page) -> datetime | None:
    moment = page.updated_at or page.published_at
    return _utc(moment) if moment is not None else None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(parent: Element, tag: str, text: str) -> Element:
    child = SubElement(parent, tag)
    child.text = _clean(text)
    return child


def _serialise(root: Element) -> bytes:
    # Attribute values are cleaned here too: ElementTree escapes, it does not drop.
    for element in root.iter():
        for key, value in list(element.attrib.items()):
            element.set(key, _clean(value))
    indent(root)
    data: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return data
