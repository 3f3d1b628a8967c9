"""Safe HTML from untrusted input: the sanitiser, the URL check and plain-text helpers.

Every piece of document content that reaches a page passes through here (directly or through
``richtext``/``blocks``): HTML through ``sanitize_html`` (nh3: an allow-list of tags and
attributes), every URL an editor controls through ``safe_url``. Nothing here trusts its input,
and nothing here knows about templates or documents.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3
from markupsafe import Markup, escape

from masthead.core.blocks import MAX_DEPTH

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener noreferrer"

_TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span"),
        *("strong", "b", "em", "i", "u", "s", "strike", "del", "ins", "mark", "small"),
        *("sub", "sup", "code", "kbd", "samp", "var", "pre", "blockquote", "q", "cite"),
        *("abbr", "time", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure"),
        *("figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    }
)
_ATTRIBUTES = {
    "*": frozenset({"title", "lang", "dir"}),
    "a": frozenset({"href"}),  # rel is set by nh3 (link_rel), never taken from the input
    "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start", "reversed"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "time": frozenset({"datetime"}),
}
# Tags dropped with everything inside them (allowed tags merely unwrap the unknown ones).
_DROPPED_WITH_CONTENT = frozenset(
    {
        *("script", "style", "iframe", "frame", "frameset", "object", "embed", "applet"),
        *("svg", "math", "template", "noscript", "noembed", "noframes", "xmp", "title"),
        *("textarea", "select", "head"),
    }
)

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\t\n\r]")  # browsers remove these anywhere in a URL
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))  # what URL parsers strip from both ends


def sanitize_html(value: str) -> str:
    """``value`` with only allowed tags and attributes left: scripts, styles, frames and
    event handlers removed, URLs other than http(s)/mailto/tel/relative dropped, and
    ``rel="noopener noreferrer"`` on every link."""
    return nh3.clean(
        value,
        tags=_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def safe_html(value: str) -> Markup:
    """``sanitize_html`` marked safe for templates."""
    return Markup(sanitize_html(value))  # noqa: S704 - sanitised just above


def safe_url(value: Any) -> str | None:
    """``value`` if it is a URL a page may link to: http(s), mailto, tel or relative.

    None for anything else (``javascript:``, ``data:``, ``vbscript:``, whatever the case,
    leading spaces, embedded tabs or HTML entities). The result still has to be escaped where
    it is written, which templates and ``Markup.format`` do.
    """
    if not isinstance(value, str):
        return None
    url = _INVISIBLE.sub("", value).strip(_C0_AND_SPACE)
    if not url or _CONTROL.search(url):
        return None
    # Check the text as written and as an HTML parser would read it once decoded: both must
    # name an allowed scheme or none at all.
    for candidate in (url, _INVISIBLE.sub("", html.unescape(url)).strip()):
        match = _SCHEME.match(candidate)
        if match and match.group(1).lower() not in URL_SCHEMES:
            return None
    return url


def plain_text(value: Any, limit: int | None = None, *, is_html: bool = True) -> str:
    """The text of ``value`` with whitespace collapsed, cut at a word near ``limit``: a string
    of HTML (``is_html``) loses its tags and has its entities decoded, a rich-text document
    gives the text of its nodes, and a string that is not HTML is kept as it is."""
    if isinstance(value, str):
        text = html.unescape(nh3.clean(value, tags=set())) if is_html and "<" in value else value
    elif isinstance(value, dict):
        text = " ".join(_texts(value, 0))
    else:
        return ""
    text = _SPACE.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
        text = cut.rstrip(" ,;:.-") + "…"
    return text


def _texts(node: dict[str, Any], depth: int) -> list[str]:
    """The text nodes of a ProseMirror-like document, in order (bounded depth)."""
    if depth > MAX_DEPTH:
        return []
    if node.get("type") == "html" and isinstance(node.get("html"), str):
        return [plain_text(node["html"])]
    texts = [node["text"]] if isinstance(node.get("text"), str) else []
    children = node.get("content")
    if isinstance(children, list):
        for child in children:
            if isinstance(child, dict):
                texts.extend(_texts(child, depth + 1))
    return texts


def paragraphs(text: str) -> Markup:
    """Plain text as escaped paragraphs: a blank line separates them, a newline is <br>."""
    parts = [part.strip() for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in p.split("\n")))
        for p in parts
        if p
    )
