"""The template renderer: a sandboxed, autoescaping Jinja2 environment and what pages get.

A space may override any default template (``templates/`` beside this module) with its own
directory, searched first; ``default/<name>`` always reaches the packaged one, so an override
can extend it. Override templates are user input: the environment is sandboxed (no
``__class__`` walks, no mutation of the data), every output is autoescaped, and the values
handed to templates are already checked (URLs, SEO text). Rendering reads no database, no
clock and no file outside the two template folders.

A broken override template raises ``jinja2.TemplateError`` (``SecurityError`` for a sandbox
escape); the caller decides what a failed page means for its release.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from masthead.rendering.blocks import render_blocks
from masthead.rendering.fields import (
    date_text,
    extra_fields,
    field_text,
    iso_datetime,
    media_alt,
    media_url,
    render_field,
    string_list,
)
from masthead.rendering.html import plain_text, safe_url
from masthead.rendering.models import MenuLink, Page, Site
from masthead.rendering.richtext import render_rich_text

DESCRIPTION_LIMIT = 300  # characters of <meta name="description">
_TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


@dataclass(frozen=True)
class Image:
    url: str
    alt: str


@dataclass(frozen=True)
class Meta:
    """The SEO tags of one page, checked and ready to print."""

    title: str  # og:title: the page's own title
    document_title: str  # <title>: the page's title — the site's name
    description: str
    canonical_url: str
    og_type: str  # "article" or "website"
    image_url: str | None  # absolute
    published: str | None  # ISO 8601, for article:published_time
    modified: str | None


@dataclass(frozen=True)
class ListEntry:
    title: str
    url: str | None
    published: str  # ISO 8601 or ""
    date: str  # "March 4, 2026" or ""
    excerpt: str


DEFAULT_TEMPLATES = Path(__file__).resolve().parent / "templates"
"""Masthead's own templates (package data), under any override a space has."""


class Renderer:
    """Renders release pages from plain values; one instance per set of templates."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        defaults = PackageLoader("masthead.rendering", "templates")
        loaders: list[BaseLoader] = []
        if templates_dir is not None:
            loaders.append(FileSystemLoader(templates_dir))
        loaders += [defaults, PrefixLoader({"default": defaults})]
        # A space's own templates are user input: they run in Jinja2's sandbox. Masthead's
        # defaults alone need none of its per-attribute checks (half the render time).
        environment = ImmutableSandboxedEnvironment if templates_dir is not None else Environment
        self._env = environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self._env.globals.update(
            render_rich_text=render_rich_text,
            render_blocks=render_blocks,
            render_field=render_field,
            extra_fields=extra_fields,
            safe_url=safe_url,
            media_url=media_url,
            plain_text=plain_text,
            date_text=date_text,
            iso_datetime=iso_datetime,
        )
        self._env.filters.update(
            render_rich_text=render_rich_text,
            render_blocks=render_blocks,
            safe_url=safe_url,
            plain_text=plain_text,
            date_text=date_text,
            iso_datetime=iso_datetime,
        )

    def render_page(self, site: Site, page: Page, *, preview: bool = False) -> str:
        """The HTML of one document: ``<template>.html`` if there is one, else ``page.html``."""
        name = page.template or "page"
        candidates = [f"{name}.html", "page.html"] if _TEMPLATE_NAME.match(name) else []
        template = self._env.select_template(candidates or ["page.html"])
        og_type = "article" if template.name == "post.html" else "website"
        feature = page.data.get("featureImage")
        feature_url = media_url(page, feature)
        return template.render(
            **_chrome(site, page.route, preview),
            page=page,
            meta=page_meta(site, page, og_type),
            feature_image=Image(feature_url, media_alt(feature)) if feature_url else None,
            tags=string_list(page.data.get("tags")),
            published=iso_datetime(page.published_at) if page.published_at else "",
            published_text=date_text(page.published_at) if page.published_at else "",
        )

    def render_list(self, site: Site, title: str, route: str, pages: Sequence[Page]) -> str:
        """The index page of a collection: one link per page, with its date and excerpt."""
        meta = Meta(
            title=title,
            document_title=_document_title(title, site),
            description="",
            canonical_url=canonical_url(site, route),
            og_type="website",
            image_url=None,
            published=None,
            modified=None,
        )
        entries = tuple(_entry(page) for page in pages)
        return self._env.get_template("list.html").render(
            **_chrome(site, route, False), title=title, pages=pages, entries=entries, meta=meta
        )

    def render_message(self, status: int, title: str, message: str) -> str:
        """A standalone page for an error (preview 401/404/410). Always the packaged template:
        an error page must not depend on a space's templates working."""
        template = self._env.get_template("default/message.html")
        return template.render(status=int(status), title=title, message=message)


def canonical_url(site: Site, route: str) -> str:
    return site.base_url.rstrip("/") + (route if route.startswith("/") else "/" + route)


def absolute_url(site: Site, url: str) -> str:
    """Root-relative URLs made absolute (Open Graph wants absolute ones)."""
    if url.startswith("/") and not url.startswith("//"):
        return site.base_url.rstrip("/") + url
    return url


def page_meta(site: Site, page: Page, og_type: str) -> Meta:
    meta_title = page.data.get("metaTitle")
    title = meta_title.strip() if isinstance(meta_title, str) and meta_title.strip() else ""
    title = title or page.title
    description = field_text(page, "metaDescription", DESCRIPTION_LIMIT) or field_text(
        page, "excerpt", DESCRIPTION_LIMIT
    )
    image = media_url(page, page.data.get("ogImage")) or media_url(
        page, page.data.get("featureImage")
    )
    return Meta(
        title=title,
        document_title=_document_title(title, site),
        description=description,
        canonical_url=canonical_url(site, page.route),
        og_type=og_type,
        image_url=absolute_url(site, image) if image else None,
        published=iso_datetime(page.published_at) if page.published_at else None,
        modified=iso_datetime(page.updated_at) if page.updated_at else None,
    )


def _document_title(title: str, site: Site) -> str:
    if not title:
        return site.name
    if not site.name or title == site.name:
        return title
    return f"{title} — {site.name}"


def _chrome(site: Site, route: str, preview: bool) -> dict[str, Any]:
    """What layout.html needs on every page."""
    return {
        "site": site,
        "preview": preview,
        "current_route": route,
        "main_menu": _menu(site, "main"),
        "footer_menu": _menu(site, "footer"),
    }


def _menu(site: Site, key: str) -> tuple[MenuLink, ...]:
    links = site.menus.get(key)
    return tuple(links) if links else ()


def _entry(page: Page) -> ListEntry:
    excerpt = field_text(page, "excerpt", DESCRIPTION_LIMIT) or field_text(
        page, "metaDescription", DESCRIPTION_LIMIT
    )
    return ListEntry(
        title=page.title,
        url=safe_url(page.route),
        published=iso_datetime(page.published_at) if page.published_at else "",
        date=date_text(page.published_at) if page.published_at else "",
        excerpt=excerpt,
    )
