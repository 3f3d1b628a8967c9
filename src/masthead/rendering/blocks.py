"""Blocks to safe HTML, in both shapes ``core.blocks`` accepts.

- block-editor (WordPress) shape: ``{"name": "core/paragraph", "attributes": {...},
  "innerBlocks": [...]}``; its HTML-bearing attributes (``content``, ``caption``, ``values``,
  ``citation``, ``text`` of a button) go through ``sanitize_html``.
- plain shape: ``{"type": "paragraph", "text": ...}``; its text is escaped, only an ``html``
  block's ``html`` is sanitised HTML.

A kind this module does not know renders its inner blocks and nothing of its attributes.
Nesting deeper than ``core.blocks.MAX_DEPTH`` renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from masthead.core.blocks import MAX_DEPTH, block_kind
from masthead.rendering.html import LINK_REL, safe_html, safe_url
from masthead.rendering.richtext import heading_level, positive_int

_Handler = Callable[[dict[str, Any], dict[str, Any], int], Markup]
_EMPTY = Markup("")
_LANGUAGE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+#.-")


def render_blocks(blocks: Any) -> Markup:
    """Safe HTML for a blocks field; anything but a list renders as nothing."""
    return _blocks(blocks, 0)


def _blocks(blocks: Any, depth: int) -> Markup:
    if not isinstance(blocks, list) or depth > MAX_DEPTH:
        return _EMPTY
    return Markup("").join(_block(block, depth) for block in blocks if isinstance(block, dict))


def _block(block: dict[str, Any], depth: int) -> Markup:
    kind = block_kind(block)
    if isinstance(block.get("name"), str):
        attributes = block.get("attributes")
        attrs = attributes if isinstance(attributes, dict) else {}
        handler = _EDITOR.get(kind.removeprefix("core/")) if kind else None
    else:
        attrs = block
        handler = _PLAIN.get(kind) if kind else None
    if handler is None:
        return _inner(block, depth)
    return handler(block, attrs, depth)


def _inner(block: dict[str, Any], depth: int) -> Markup:
    return _blocks(block.get("innerBlocks"), depth + 1)


def _html(value: Any) -> Markup:
    return safe_html(value) if isinstance(value, str) else _EMPTY


def _text(value: Any) -> Markup:
    return escape(value) if isinstance(value, str) else _EMPTY


def _wrap(tag: str, inner: Markup) -> Markup:
    return Markup("<{0}>{1}</{0}>").format(tag, inner)


def _list_open(ordered: bool, start: Any) -> tuple[Markup, Markup]:
    if not ordered:
        return Markup("<ul>"), Markup("</ul>")
    number = positive_int(start)
    if number is not None and number != 1:
        return Markup('<ol start="{}">').format(number), Markup("</ol>")
    return Markup("<ol>"), Markup("</ol>")


def _figure(url: Any, alt: Any, caption: Markup, href: Any = None) -> Markup:
    src = safe_url(url)
    if src is None:
        return _EMPTY
    image = Markup('<img src="{}" alt="{}" loading="lazy">').format(
        src, alt if isinstance(alt, str) else ""
    )
    link = safe_url(href)
    if link is not None:
        image = Markup('<a href="{}" rel="{}">{}</a>').format(link, LINK_REL, image)
    if caption:
        return Markup("<figure>{}<figcaption>{}</figcaption></figure>").format(image, caption)
    return Markup("<figure>{}</figure>").format(image)


def _code(code: Any, language: Any, *, is_html: bool) -> Markup:
    body = _html(code) if is_html else _text(code)
    if isinstance(language, str) and 0 < len(language) <= 32 and set(language) <= _LANGUAGE_CHARS:
        return Markup('<pre><code class="language-{}">{}</code></pre>').format(language, body)
    return Markup("<pre><code>{}</code></pre>").format(body)


# The block-editor shape: (block, attributes, depth) -> HTML.


def _editor_paragraph(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    content = _html(attrs.get("content"))
    return _wrap("p", content) if content else _EMPTY


def _editor_heading(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    level = heading_level(attrs.get("level"))
    return Markup("<h{0}>{1}</h{0}>").format(level, _html(attrs.get("content")))


def _editor_list(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    opening, closing = _list_open(attrs.get("ordered") is True, attrs.get("start"))
    # Older posts keep the items as HTML in "values"; newer ones as core/list-item blocks.
    return opening + _html(attrs.get("values")) + _inner(block, depth) + closing


def _editor_list_item(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _wrap("li", _html(attrs.get("content")) + _inner(block, depth))


def _editor_quote(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    citation = _html(attrs.get("citation"))
    cite = _wrap("cite", citation) if citation else _EMPTY
    return _wrap("blockquote", _inner(block, depth) + _html(attrs.get("value")) + cite)


def _editor_image(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    caption = _html(attrs.get("caption"))
    return _figure(attrs.get("url"), attrs.get("alt"), caption, attrs.get("href"))


def _editor_code(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _code(attrs.get("content"), attrs.get("language"), is_html=True)


def _editor_preformatted(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _wrap("pre", _html(attrs.get("content")))


def _editor_button(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    text = _html(attrs.get("text"))
    href = safe_url(attrs.get("url"))
    if href is None:
        return Markup('<span class="button">{}</span>').format(text)
    return Markup('<a class="button" href="{}" rel="{}">{}</a>').format(href, LINK_REL, text)


def _editor_embed(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    # A link to the embedded page, never a frame of it: releases run no third-party code.
    href = safe_url(attrs.get("url"))
    if href is None:
        return _EMPTY
    return Markup('<p class="embed"><a href="{0}" rel="{1}">{0}</a></p>').format(href, LINK_REL)


def _container(name: str) -> _Handler:
    def render(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
        return Markup('<div class="{}">{}</div>').format(name, _inner(block, depth))

    return render


def _nothing(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _EMPTY


def _rule(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return Markup("<hr>")


def _editor_html(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _html(attrs.get("content"))


_EDITOR: dict[str, _Handler] = {
    "paragraph": _editor_paragraph,
    "heading": _editor_heading,
    "list": _editor_list,
    "list-item": _editor_list_item,
    "quote": _editor_quote,
    "pullquote": _editor_quote,
    "image": _editor_image,
    "code": _editor_code,
    "preformatted": _editor_preformatted,
    "verse": _editor_preformatted,
    "separator": _rule,
    "buttons": _container("buttons"),
    "button": _editor_button,
    "group": _container("group"),
    "columns": _container("columns"),
    "column": _container("column"),
    "html": _editor_html,
    "freeform": _editor_html,
    "embed": _editor_embed,
    "spacer": _nothing,
    "more": _nothing,
    "nextpage": _nothing,
}


# The plain shape: the block is its own attributes; text is text, not HTML.


def _plain_paragraph(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    text = _text(attrs.get("text"))
    return _wrap("p", text) if text else _EMPTY


def _plain_heading(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    level = heading_level(attrs.get("level"))
    return Markup("<h{0}>{1}</h{0}>").format(level, _text(attrs.get("text")))


def _plain_image(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    url = attrs.get("url", attrs.get("src"))
    return _figure(url, attrs.get("alt"), _text(attrs.get("caption")), attrs.get("href"))


def _plain_items(items: Any, ordered: bool, start: Any, depth: int) -> Markup:
    if not isinstance(items, list) or depth > MAX_DEPTH:
        return _EMPTY
    rendered: list[Markup] = []
    for item in items:
        if isinstance(item, str):
            rendered.append(_wrap("li", escape(item)))
        elif isinstance(item, dict):
            nested = _plain_items(item.get("items"), ordered, None, depth + 1)
            rendered.append(_wrap("li", _text(item.get("text")) + nested))
    if not rendered:
        return _EMPTY
    opening, closing = _list_open(ordered, start)
    return opening + Markup("").join(rendered) + closing


def _plain_list(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    ordered = attrs.get("ordered") is True or attrs.get("style") == "ordered"
    return _plain_items(attrs.get("items"), ordered, attrs.get("start"), depth + 1)


def _plain_quote(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    source = next(
        (v for k in ("cite", "citation", "attribution") if isinstance(v := attrs.get(k), str)),
        None,
    )
    cite = _wrap("cite", escape(source)) if source else _EMPTY
    text = _text(attrs.get("text"))
    return _wrap("blockquote", (_wrap("p", text) if text else _EMPTY) + cite)


def _plain_code(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _code(attrs.get("code"), attrs.get("language"), is_html=False)


def _plain_html(block: dict[str, Any], attrs: dict[str, Any], depth: int) -> Markup:
    return _html(attrs.get("html"))


_PLAIN: dict[str, _Handler] = {
    "paragraph": _plain_paragraph,
    "heading": _plain_heading,
    "image": _plain_image,
    "list": _plain_list,
    "quote": _plain_quote,
    "code": _plain_code,
    "html": _plain_html,
    "divider": _rule,
    "separator": _rule,
}
