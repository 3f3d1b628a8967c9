"""Rendering tests share one oracle: ``assert_inert`` reads HTML the way a browser's tokenizer
does (stdlib ``html.parser``, entities decoded) and fails on anything that could run script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Tags that must never come out of sanitised content (a whole page has its own <style>/<meta>).
FRAGMENT_FORBIDDEN = frozenset(
    {"script", "style", "iframe", "frame", "object", "embed", "svg", "math", "base", "link"}
    | {"meta", "form", "template", "noscript", "textarea"}
)
_IGNORED_IN_URL = re.compile(r"[\x00-\x20]")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class Scan(HTMLParser):
    """Every start tag and attribute of a document, values decoded as a browser would."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def urls(self) -> list[str]:
        return [v for _, name, v in self.attributes if name in {"href", "src", "action"}]


def is_bad_url(value: str) -> bool:
    return _IGNORED_IN_URL.sub("", value).lower().startswith(_BAD_SCHEMES)


def assert_inert(html: str, *, whole_page: bool = False) -> Scan:
    """Fail if ``html`` has a script, an event handler, a script/data URL or (for a fragment)
    any tag that loads or styles something."""
    scan = Scan(html)
    assert "script" not in scan.tags, html
    handlers = [(tag, name) for tag, name, _ in scan.attributes if name.startswith("on")]
    assert not handlers, html
    assert not [url for url in scan.urls() if is_bad_url(url)], html
    assert "style" not in {name for _, name, _ in scan.attributes}, html
    if whole_page:
        assert scan.tags.count("style") <= 1, html
        assert not {"iframe", "object", "embed", "svg", "base"} & set(scan.tags), html
    else:
        assert not FRAGMENT_FORBIDDEN & set(scan.tags), html
    return scan
