"""Pages, lists, messages, sitemaps and feeds: the default templates' structure and SEO tags,
hostile values in every slot they print, a space's override templates and the sandbox that
holds them.

Pure rendering: the only files are override templates under ``tmp_path``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from jinja2.exceptions import SecurityError, TemplateNotFound

from masthead.rendering import (
    FieldInfo,
    MenuLink,
    Page,
    Renderer,
    Site,
    atom_feed,
    sitemap_xml,
)
from tests.rendering import Scan, assert_inert

EVIL = '</title><script>alert(1)</script>"><img src=x onerror=alert(1)>'
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FIELDS = tuple(
    FieldInfo(name, kind)
    for name, kind in [
        ("title", "string"),
        ("slug", "slug"),
        ("body", "richtext"),
        ("blocks", "blocks"),
        ("excerpt", "text"),
        ("featureImage", "media"),
        ("metaTitle", "string"),
        ("metaDescription", "text"),
        ("ogImage", "media"),
        ("personalization", "json"),
        ("tags", "list"),
    ]
)


def make_site(**changes: Any) -> Site:
    menus = {
        "main": (
            MenuLink("Home", "/"),
            MenuLink("Blog", "/blog", (MenuLink("Hello", "/blog/hello"), MenuLink("Gone", None))),
        ),
        "footer": (MenuLink("About", "/about"),),
    }
    return replace(Site("Daily Planet", "https://planet.example", menus), **changes)


def make_page(**changes: Any) -> Page:
    data = {
        "title": "Hello world",
        "slug": "hello",
        "body": "<p>Body <strong>text</strong></p>",
        "blocks": [{"name": "core/paragraph", "attributes": {"content": "From a block"}}],
        "excerpt": "A short excerpt.",
        "featureImage": "m-feature",
        "tags": ["news", "science"],
    }
    data.update(changes.pop("data", {}))
    page = Page(
        document_id="d-1",
        type_name="post",
        template="post",
        route="/blog/hello",
        title=data["title"],
        data=data,
        fields=FIELDS,
        published_at=datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
        updated_at=datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
        media_urls={"m-feature": "/media/feature.jpg", "m-og": "https://cdn.example/og.png"},
    )
    return replace(page, **changes)


class Head(Scan):
    """The SEO-relevant parts of a page's head."""

    def __init__(self, html: str) -> None:
        self._in_title = False
        self.title = ""
        super().__init__(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def meta(self, key: str) -> list[str]:
        """The content of every <meta name=key> or <meta property=key>."""
        return [
            attrs.get("content", "")
            for tag, attrs in self.elements
            if tag == "meta" and key in {attrs.get("name"), attrs.get("property")}
        ]

    def link(self, rel: str) -> list[str]:
        return [
            attrs.get("href", "")
            for tag, attrs in self.elements
            if tag == "link" and attrs.get("rel") == rel
        ]


@pytest.fixture
def renderer() -> Renderer:
    return Renderer()


# --- default templates: structure and SEO ------------------------------------------------------


def test_post_page_has_the_seo_tags(renderer: Renderer) -> None:
    html = renderer.render_page(make_site(), make_page())
    head = Head(html)
    assert head.title == "Hello world — Daily Planet"
    assert head.meta("description") == ["A short excerpt."]
    assert head.link("canonical") == ["https://planet.example/blog/hello"]
    assert head.meta("og:title") == ["Hello world"]
    assert head.meta("og:description") == ["A short excerpt."]
    assert head.meta("og:url") == ["https://planet.example/blog/hello"]
    assert head.meta("og:type") == ["article"]
    assert head.meta("og:site_name") == ["Daily Planet"]
    assert head.meta("og:image") == ["https://planet.example/media/feature.jpg"]
    assert head.meta("article:published_time") == ["2026-03-04T09:30:00+00:00"]
    assert head.meta("robots") == []
    assert head.meta("viewport") == ["width=device-width, initial-scale=1"]


def test_meta_title_meta_description_and_og_image_win(renderer: Renderer) -> None:
    page = make_page(
        data={"metaTitle": "SEO title", "metaDescription": "SEO  x < y\n", "ogImage": "m-og"}
    )
    head = Head(renderer.render_page(make_site(), page))
    assert head.title == "SEO title — Daily Planet"
    assert head.meta("og:title") == ["SEO title"]
    assert head.meta("description") == ["SEO x < y"]
    assert head.meta("og:image") == ["https://cdn.example/og.png"]


def test_a_richtext_excerpt_gives_its_text_to_the_description(renderer: Renderer) -> None:
    fields = (*FIELDS[:4], FieldInfo("excerpt", "richtext"), *FIELDS[5:])
    for excerpt in (
        "<p>Rich <b>text</b> &amp; more<script>alert(1)</script></p>",
        {"type": "doc", "content": [{"type": "text", "text": "Rich text & more"}]},
    ):
        page = make_page(fields=fields, data={"excerpt": excerpt})
        assert Head(renderer.render_page(make_site(), page)).meta("description") == [
            "Rich text & more"
        ]


def test_description_is_cut_to_a_readable_length(renderer: Renderer) -> None:
    page = make_page(data={"excerpt": "word " * 200})
    (description,) = Head(renderer.render_page(make_site(), page)).meta("description")
    assert 100 < len(description) <= 301
    assert description.endswith("word…")


def test_page_template_is_a_website_without_date_or_tags(renderer: Renderer) -> None:
    page = make_page(template="page", route="/about", data={"featureImage": None})
    html = renderer.render_page(make_site(), page)
    head = Head(html)
    assert head.meta("og:type") == ["website"]
    assert head.meta("og:image") == []
    assert head.meta("article:published_time") == []
    assert "<time" not in html
    assert 'class="tags"' not in html
    assert "<p>Body <strong>text</strong></p>" in html


@pytest.mark.parametrize(
    "template", [None, "", "missing", "../../etc/passwd", "post/../page", "default/post", "post "]
)
def test_unknown_or_odd_template_names_fall_back_to_page(
    renderer: Renderer, template: str | None
) -> None:
    html = renderer.render_page(make_site(), make_page(template=template))
    assert Head(html).meta("og:type") == ["website"]
    assert "<time" not in html


def test_post_page_is_semantic_html(renderer: Renderer) -> None:
    html = renderer.render_page(make_site(language="fr"), make_page())
    assert html.startswith('<!doctype html>\n<html lang="fr">')
    assert '<meta charset="utf-8">' in html
    assert '<a class="skip-link" href="#content">' in html
    assert '<main id="content">' in html
    assert '<nav aria-label="Main">' in html
    assert '<nav aria-label="Footer">' in html
    assert "<article>" in html
    assert "<h1>Hello world</h1>" in html
    assert '<time datetime="2026-03-04T09:30:00+00:00">March 4, 2026</time>' in html
    assert '<img src="/media/feature.jpg" alt="">' in html
    assert "<p>Body <strong>text</strong></p>" in html
    assert "<p>From a block</p>" in html
    assert '<ul class="tags" aria-label="Tags">\n<li>news</li>\n<li>science</li>' in html
    scan = assert_inert(html, whole_page=True)
    assert scan.tags.count("style") == 1
    # No external asset: the only <link> is the canonical one, and there is no script.
    assert [attrs for tag, attrs in scan.elements if tag == "link"] == [
        {"rel": "canonical", "href": "https://planet.example/blog/hello"}
    ]


def test_body_may_be_a_prosemirror_document(renderer: Renderer) -> None:
    body = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "<script>"}]}],
    }
    html = renderer.render_page(make_site(), make_page(data={"body": body}))
    assert "<p>&lt;script&gt;</p>" in html


def test_other_fields_render_by_type(renderer: Renderer) -> None:
    fields = (
        *FIELDS,
        FieldInfo("subtitle", "string"),
        FieldInfo("notes", "text"),
        FieldInfo("config", "json"),
        FieldInfo("author", "reference"),
        FieldInfo("featured", "boolean"),
        FieldInfo("eventAt", "datetime"),
        FieldInfo("gallery", "media"),
    )
    data = {
        "subtitle": "<em>sub</em>",
        "notes": "line 1\nline <2>\n\npara 2",
        "config": {"secret": "CONFIG-VALUE"},
        "author": "AUTHOR-ID",
        "featured": True,
        "eventAt": "2026-05-01T18:00:00Z",
        "gallery": "m-og",
    }
    html = renderer.render_page(make_site(), make_page(fields=fields, data=data))
    assert '<div class="field" data-field="subtitle"><p>&lt;em&gt;sub&lt;/em&gt;</p></div>' in html
    assert "<p>line 1<br>\nline &lt;2&gt;</p><p>para 2</p>" in html
    assert '<time datetime="2026-05-01T18:00:00+00:00">May 1, 2026</time>' in html
    assert '<img src="https://cdn.example/og.png" alt="" loading="lazy">' in html
    for hidden in ("CONFIG-VALUE", "AUTHOR-ID", "True", "personalization"):
        assert hidden not in html


def test_preview_adds_a_banner_and_noindex(renderer: Renderer) -> None:
    html = renderer.render_page(make_site(), make_page(), preview=True)
    assert Head(html).meta("robots") == ["noindex"]
    assert 'class="preview-banner"' in html
    assert ">Preview" in html
    plain = renderer.render_page(make_site(), make_page())
    assert 'class="preview-banner"' not in plain
    assert Head(plain).meta("robots") == []


# --- hostile values in the templates' slots ----------------------------------------------------


def test_hostile_title_and_seo_fields_are_escaped(renderer: Renderer) -> None:
    page = make_page(
        title=EVIL,
        data={
            "title": EVIL,
            "metaDescription": EVIL,
            "tags": [EVIL],
            "featureImage": "m-evil",
            "body": EVIL,
        },
        media_urls={"m-evil": 'javascript:alert(1)" onerror="alert(1)'},
    )
    site = make_site(name=f"Site {EVIL}", language='en"><script>alert(1)</script>')
    html = renderer.render_page(site, page)
    assert_inert(html, whole_page=True)
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    head = Head(html)
    assert head.title == f"{EVIL} — Site {EVIL}"
    assert head.meta("og:title") == [EVIL]
    assert head.meta("og:image") == []  # the unsafe media URL is not used at all
    assert 'class="feature-image"' not in html
    assert head.meta("description") == [EVIL]  # a text field is text: printed, escaped
    assert html.count("<script") == 0


def test_hostile_menus_are_escaped_and_unsafe_urls_are_not_links(renderer: Renderer) -> None:
    menus = {
        "main": (
            MenuLink("<script>alert(1)</script>", "javascript:alert(1)"),
            MenuLink("Spaced", " JaVaScRiPt:alert(1)"),
            MenuLink("Data", "data:text/html,<script>alert(1)</script>"),
            MenuLink('Quote"', '/x" onclick="alert(1)'),
            MenuLink("Parent", None, (MenuLink("<b>Child</b>", "/child"),)),
        ),
    }
    html = renderer.render_page(make_site(menus=menus), make_page())
    scan = assert_inert(html, whole_page=True)
    assert "<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>" in html
    assert "<span>Spaced</span>" in html
    assert "<span>Data</span>" in html
    assert ("a", "href", '/x" onclick="alert(1)') in scan.attributes
    assert '<span>Parent</span><ul>\n  <li><a href="/child">&lt;b&gt;Child&lt;/b&gt;</a>' in html
    assert '<nav aria-label="Footer">' not in html


def test_the_current_page_is_marked_in_the_menu(renderer: Renderer) -> None:
    html = renderer.render_page(make_site(), make_page())
    assert '<a href="/blog/hello" aria-current="page">Hello</a>' in html
    assert '<a href="/blog">Blog</a>' in html


# --- list pages and messages -------------------------------------------------------------------


def test_list_page_links_every_page_with_date_and_excerpt(renderer: Renderer) -> None:
    pages = [
        make_page(),
        make_page(
            title="Second & <last>",
            route="/blog/second",
            published_at=None,
            data={"excerpt": None, "metaDescription": "From <i>meta</i>"},
        ),
        make_page(title="Bad route", route="javascript:alert(1)"),
    ]
    html = renderer.render_list(make_site(), "All <posts>", "/blog", pages)
    assert_inert(html, whole_page=True)
    head = Head(html)
    assert head.title == "All <posts> — Daily Planet"
    assert head.link("canonical") == ["https://planet.example/blog"]
    assert head.meta("og:type") == ["website"]
    assert "<h1>All &lt;posts&gt;</h1>" in html
    assert '<h2><a href="/blog/hello">Hello world</a></h2>' in html
    assert '<time datetime="2026-03-04T09:30:00+00:00">March 4, 2026</time>' in html
    assert "<p>A short excerpt.</p>" in html
    assert '<h2><a href="/blog/second">Second &amp; &lt;last&gt;</a></h2>' in html
    assert "<p>From &lt;i&gt;meta&lt;/i&gt;</p>" in html
    assert "<h2>Bad route</h2>" in html


def test_empty_list_page_says_so(renderer: Renderer) -> None:
    assert "Nothing here yet." in renderer.render_list(make_site(), "Blog", "/blog", [])


def test_message_page_is_standalone_and_escaped(renderer: Renderer) -> None:
    html = renderer.render_message(404, EVIL, "No <b>such</b> preview & co")
    assert_inert(html, whole_page=True)
    assert html.startswith("<!doctype html>")
    assert Head(html).meta("robots") == ["noindex"]
    assert Head(html).title == f"404 {EVIL}"
    assert "<p>No &lt;b&gt;such&lt;/b&gt; preview &amp; co</p>" in html
    assert "<nav" not in html


def test_message_page_ignores_override_templates(tmp_path: Path) -> None:
    (tmp_path / "message.html").write_text("{{ broken(", encoding="utf-8")
    html = Renderer(tmp_path).render_message(401, "Unauthorised", "Sign in")
    assert "<h1>Unauthorised</h1>" in html


# --- override templates and the sandbox --------------------------------------------------------


def test_override_directory_replaces_post_html_only(tmp_path: Path) -> None:
    (tmp_path / "post.html").write_text(
        '{% extends "layout.html" %}{% block content %}<article class="custom">'
        "<h1>{{ page.title }}</h1>{{ page.data.body | render_rich_text }}"
        "{{ render_blocks(page.data.blocks) }}</article>{% endblock %}",
        encoding="utf-8",
    )
    renderer = Renderer(tmp_path)
    post = renderer.render_page(make_site(), make_page(title=EVIL, data={"body": EVIL}))
    assert '<article class="custom">' in post
    assert "<h1>&lt;/title&gt;&lt;script&gt;" in post
    assert "<p>From a block</p>" in post
    assert_inert(post, whole_page=True)
    page = renderer.render_page(make_site(), make_page(template="page"))
    assert 'class="custom"' not in page
    assert "<h1>Hello world</h1>" in page


def test_override_can_extend_the_packaged_template(tmp_path: Path) -> None:
    (tmp_path / "post.html").write_text(
        '{% extends "default/post.html" %}{% block head %}<meta name="x-custom" content="1">'
        "{% endblock %}",
        encoding="utf-8",
    )
    html = Renderer(tmp_path).render_page(make_site(), make_page())
    assert Head(html).meta("x-custom") == ["1"]
    assert "<h1>Hello world</h1>" in html


def test_custom_template_names_are_used_when_present(tmp_path: Path) -> None:
    (tmp_path / "landing.html").write_text("<b>{{ page.title }}</b>", encoding="utf-8")
    (tmp_path / "note.txt").write_text("{{ page.title }}", encoding="utf-8")
    (tmp_path / "wrapper.html").write_text('{% include "note.txt" %}', encoding="utf-8")
    renderer = Renderer(tmp_path)
    assert renderer.render_page(make_site(), make_page(template="landing", title="<i>")) == (
        "<b>&lt;i&gt;</b>"
    )
    # Autoescape is on for every template, whatever its file name.
    assert renderer.render_page(make_site(), make_page(template="wrapper", title="<i>")) == (
        "&lt;i&gt;"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ page.__class__.__init__.__globals__ }}",
        "{{ render_rich_text.__globals__ }}",
        "{{ render_blocks.__module__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ '{0.__class__}'.format(page) }}",
        "{{ page.data.update({'title': 'changed'}) }}",
        "{{ page.data.pop('title') }}",
        "{% set x = page.media_urls.clear() %}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_override_templates_cannot_escape_the_sandbox(tmp_path: Path, source: str) -> None:
    (tmp_path / "post.html").write_text(source, encoding="utf-8")
    page = make_page()
    with pytest.raises(SecurityError):
        Renderer(tmp_path).render_page(make_site(), page)
    assert page.data["title"] == "Hello world"


def test_override_templates_cannot_read_files_outside_the_folders(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "post.html").write_text('{% include "../secret.txt" %}', encoding="utf-8")
    with pytest.raises(TemplateNotFound):
        Renderer(overrides).render_page(make_site(), make_page())


# --- sitemap and Atom --------------------------------------------------------------------------


def test_sitemap_lists_every_route_escaped() -> None:
    xml = sitemap_xml(
        "https://planet.example",
        [
            ("/", datetime(2026, 3, 4, 9, 30, tzinfo=UTC)),
            ("/a&b<c>", None),
            ("/café", datetime(2026, 3, 4, 9, 30)),  # naive: taken as UTC
            ("/bad\x00\x1bchars", None),
        ],
    )
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"/a&amp;b%3Cc%3E" in xml
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    assert root.tag == f"{SITEMAP}urlset"
    urls = [
        (url.findtext(f"{SITEMAP}loc"), url.findtext(f"{SITEMAP}lastmod"))
        for url in root.iter(f"{SITEMAP}url")
    ]
    assert urls == [
        ("https://planet.example/", "2026-03-04T09:30:00+00:00"),
        ("https://planet.example/a&b%3Cc%3E", None),
        ("https://planet.example/caf%C3%A9", "2026-03-04T09:30:00+00:00"),
        ("https://planet.example/bad%00%1Bchars", None),
    ]


def test_atom_feed_is_valid_and_escaped() -> None:
    later = datetime(2026, 4, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    pages = [
        make_page(title="Cats & <dogs>\x0b", data={"excerpt": "Fish & <chips>"}),
        make_page(
            title="Second",
            route="/blog/second",
            updated_at=later,
            data={"excerpt": None, "metaDescription": "<b>Meta</b> & more"},
        ),
    ]
    site = make_site(name="Planet & <Co>")
    xml = atom_feed(site, "Blog & <news>", "/blog", pages, self_route="/blog/feed.xml")
    assert b"<script" not in xml
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Blog & <news>"
    assert root.findtext(f"{ATOM}id") == "https://planet.example/blog"
    assert root.findtext(f"{ATOM}updated") == "2026-04-01T12:00:00+02:00"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Planet & <Co>"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "https://planet.example/blog",
        "self": "https://planet.example/blog/feed.xml",
    }
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Cats & <dogs>", "Second"]
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "https://planet.example/blog/hello",
        "https://planet.example/blog/second",
    ]
    assert [e.findtext(f"{ATOM}summary") for e in entries] == [
        "Fish & <chips>",
        "<b>Meta</b> & more",
    ]
    first = entries[0]
    assert first.findtext(f"{ATOM}updated") == "2026-03-05T10:00:00+00:00"
    assert first.findtext(f"{ATOM}published") == "2026-03-04T09:30:00+00:00"
    link = first.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == "https://planet.example/blog/hello"


def test_empty_atom_feed_is_still_valid() -> None:
    xml = atom_feed(make_site(), "", "/blog", [])
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    assert root.findtext(f"{ATOM}title") == "Daily Planet"
    assert root.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"
    assert root.findall(f"{ATOM}entry") == []
