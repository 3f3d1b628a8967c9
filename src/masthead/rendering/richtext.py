"""Rich text to safe HTML: an HTML string, or a structured ProseMirror/TipTap document.

Structured documents are rendered node by node with escaped text; no attribute of the input
is copied to the output except through a check (URLs through ``safe_url``, heading levels
clamped, numbers parsed). Unknown node types render their children; unknown marks are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from masthead.core.blocks import MAX_DEPTH
from masthead.rendering.html import LINK_REL, safe_html, safe_url

_LANGUAGE = re.compile(r"^[A-Za-z0-9_+#.\-]{1,32}\Z")

# Node types that wrap their children in one element with no attributes.
_WRAPPERS = {
    "paragraph": "p",
    "blockquote": "blockquote",
    "bulletList": "ul",
    "bullet_list": "ul",
    "listItem": "li",
    "list_item": "li",
    "table": "table",
    "tableRow": "tr",
    "table_row": "tr",
    "taskList": "ul",
    "taskItem": "li",
}
_MARKS = {
    "bold": "strong",
    "strong": "strong",
    "italic": "em",
    "em": "em",
    "underline": "u",
    "strike": "s",
    "strikethrough": "s",
    "code": "code",
    "subscript": "sub",
    "superscript": "sup",
    "highlight": "mark",
}


def render_rich_text(value: Any) -> Markup:
    """Safe HTML for a richtext field: a string is sanitised, a dict is rendered as a
    structured document; anything else (None included) renders as nothing."""
    if isinstance(value, str):
        return safe_html(value)
    if isinstance(value, dict):
        return _node(value, 0)
    return Markup("")


def heading_level(value: Any, default: int = 2) -> int:
    """An int 1..6 from an untrusted level (int or digit string); ``default`` otherwise."""
    if isinstance(value, bool):
        return default
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        value = int(value.strip())
    if not isinstance(value, int):
        return default
    return min(max(value, 1), 6)


def positive_int(value: Any) -> int | None:
    """A positive int from an untrusted int or digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 9:
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 10**9 else None


def _children(node: dict[str, Any], depth: int) -> Markup:
    content = node.get("content")
    if not isinstance(content, list):
        return Markup("")
    return Markup("").join(_node(child, depth + 1) for child in content if isinstance(child, dict))


def _attrs(node: dict[str, Any]) -> dict[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _node(node: dict[str, Any], depth: int) -> Markup:
    if depth > MAX_DEPTH:
        return Markup("")
    kind = node.get("type")
    if kind == "text":
        return _text(node)
    if kind == "html":
        html = node.get("html")
        return safe_html(html) if isinstance(html, str) else Markup("")
    if isinstance(kind, str):
        special = _SPECIAL.get(kind)
        if special is not None:
            return special(node, depth)
        tag = _WRAPPERS.get(kind)
        if tag is not None:
            return Markup("<{0}>{1}</{0}>").format(tag, _children(node, depth))
    return _children(node, depth)


def _text(node: dict[str, Any]) -> Markup:
    text = node.get("text")
    if not isinstance(text, str):
        return Markup("")
    out = escape(text)
    marks = node.get("marks")
    if not isinstance(marks, list):
        return out
    # The first mark is the outermost: wrap from the last one outwards.
    for mark in reversed([m for m in marks if isinstance(m, dict)]):
        out = _mark(mark, out)
    return out


def _mark(mark: dict[str, Any], inner: Markup) -> Markup:
    kind = mark.get("type")
    if kind == "link":
        attrs = _attrs(mark)
        href = safe_url(attrs.get("href"))
        if href is None:
            return inner  # an unsafe or missing target: keep the text, drop the link
        title = attrs.get("title")
        if isinstance(title, str) and title:
            return Markup('<a href="{}" title="{}" rel="{}">{}</a>').format(
                href, title, LINK_REL, inner
            )
        return Markup('<a href="{}" rel="{}">{}</a>').format(href, LINK_REL, inner)
    tag = _MARKS.get(kind) if isinstance(kind, str) else None
    if tag is None:
        return inner
    return Markup("<{0}>{1}</{0}>").format(tag, inner)


def _heading(node: dict[str, Any], depth: int) -> Markup:
    level = heading_level(_attrs(node).get("level"))
    return Markup("<h{0}>{1}</h{0}>").format(level, _children(node, depth))


def _ordered_list(node: dict[str, Any], depth: int) -> Markup:
    start = positive_int(_attrs(node).get("start"))
    if start is not None and start != 1:
        return Markup('<ol start="{}">{}</ol>').format(start, _children(node, depth))
    return Markup("<ol>{}</ol>").format(_children(node, depth))


def _code_block(node: dict[str, Any], depth: int) -> Markup:
    code = plain_code(node, depth)
    language = _attrs(node).get("language")
    if isinstance(language, str) and _LANGUAGE.match(language):
        return Markup('<pre><code class="language-{}">{}</code></pre>').format(language, code)
    return Markup("<pre><code>{}</code></pre>").format(code)


def plain_code(node: dict[str, Any], depth: int = 0) -> str:
    """The text of a code block's children, unformatted (marks inside code are dropped)."""
    content = node.get("content")
    if depth > MAX_DEPTH or not isinstance(content, list):
        return ""
    parts: list[str] = []
    for child in content:
        if not isinstance(child, dict):
            continue
        text = child.get("text")
        parts.append(text if isinstance(text, str) else plain_code(child, depth + 1))
    return "".join(parts)


def _image(node: dict[str, Any], depth: int) -> Markup:
    attrs = _attrs(node)
    src = safe_url(attrs.get("src"))
    if src is None:
        return Markup("")
    alt = attrs.get("alt") if isinstance(attrs.get("alt"), str) else ""
    title = attrs.get("title")
    if isinstance(title, str) and title:
        return Markup('<img src="{}" alt="{}" title="{}" loading="lazy">').format(src, alt, title)
    return Markup('<img src="{}" alt="{}" loading="lazy">').format(src, alt)


def _cell(tag: str) -> Callable[[dict[str, Any], int], Markup]:
    def render(node: dict[str, Any], depth: int) -> Markup:
        attrs = _attrs(node)
        spans = Markup("").join(
            Markup(' {}="{}"').format(name, number)
            for name in ("colspan", "rowspan")
            if (number := positive_int(attrs.get(name))) not in (None, 1)
        )
        return Markup("<{0}{1}>{2}</{0}>").format(tag, spans, _children(node, depth))

    return render


_SPECIAL: dict[str, Callable[[dict[str, Any], int], Markup]] = {
    "heading": _heading,
    "orderedList": _ordered_list,
    "ordered_list": _ordered_list,
    "codeBlock": _code_block,
    "code_block": _code_block,
    "image": _image,
    "hardBreak": lambda node, depth: Markup("<br>"),
    "hard_break": lambda node, depth: Markup("<br>"),
    "horizontalRule": lambda node, depth: Markup("<hr>"),
    "horizontal_rule": lambda node, depth: Markup("<hr>"),
    "tableHeader": _cell("th"),
    "table_header": _cell("th"),
    "tableCell": _cell("td"),
    "table_cell": _cell("td"),
}
