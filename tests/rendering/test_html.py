"""Content to safe HTML: the sanitiser, the URL check, rich text (HTML and ProseMirror JSON) and
blocks (block-editor and plain shapes). Hostile input in every place an editor controls.

Pure functions: no database, no files.
"""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from masthead.rendering import render_blocks, render_rich_text, safe_url, sanitize_html
from tests.rendering import Scan, assert_inert, is_bad_url

HOSTILE_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="data:text/html,<script>alert(1)</script>">',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<details open ontoggle=alert(1)>",
    "<div onmouseover=alert(1)>x</div>",
    "</p><script>alert(1)</script><p>",
    "<!--<script>alert(1)</script>-->",
    "<<script>script>alert(1)<</script>/script>",
]

BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:image/svg+xml;base64,PHN2Zz4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "",
    None,
    42,
]
GOOD_URLS = [
    "https://example.org/a?b=1&c=2#d",
    "http://example.org",
    "HTTPS://EXAMPLE.ORG",
    "mailto:ed@example.org",
    "tel:+331234",
    "/about",
    "about/team",
    "#section",
    "?page=2",
    "//cdn.example.org/x.png",
]


def text_of(*nodes: dict[str, Any]) -> dict[str, Any]:
    """A ProseMirror document of one paragraph holding ``nodes``."""
    return {"type": "doc", "content": [{"type": "paragraph", "content": list(nodes)}]}


def link(href: Any, text: str = "click") -> dict[str, Any]:
    return {"type": "text", "text": text, "marks": [{"type": "link", "attrs": {"href": href}}]}


# --- sanitize_html -----------------------------------------------------------------------------


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_sanitize_html_leaves_nothing_that_runs(html: str) -> None:
    clean = sanitize_html(html)
    assert_inert(clean)
    assert "alert(1)</script>" not in clean


def test_sanitize_html_drops_script_and_style_with_their_content() -> None:
    assert sanitize_html("a<script>alert(1)</script>b<style>p{}</style>c") == "abc"


def test_sanitize_html_keeps_formatting_and_safe_links() -> None:
    html = (
        '<h2>Title</h2><p><strong>bold</strong> <em>it</em> <a href="https://x.org/?a=1&b=2" '
        'rel="opener" target="_top">x</a> <a href="/about">rel</a> <a href="mailto:a@b.c">m</a>'
        '</p><ul><li>one</li></ul><img src="/media/1.png" alt="A cat">'
    )
    clean = sanitize_html(html)
    assert "<h2>Title</h2>" in clean
    assert "<strong>bold</strong> <em>it</em>" in clean
    assert '<a href="https://x.org/?a=1&amp;b=2" rel="noopener noreferrer">x</a>' in clean
    assert '<a href="/about" rel="noopener noreferrer">rel</a>' in clean
    assert 'href="mailto:a@b.c"' in clean
    assert "<ul><li>one</li></ul>" in clean
    assert '<img src="/media/1.png" alt="A cat">' in clean
    assert "target" not in clean
    assert 'opener"' not in clean


def test_sanitize_html_removes_unsafe_link_targets_but_keeps_their_text() -> None:
    clean = sanitize_html('<a href="javascript:alert(1)">keep me</a>')
    assert "keep me" in clean
    assert "href" not in clean


# --- safe_url ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", BAD_URLS)
def test_safe_url_refuses_script_data_and_other_schemes(url: Any) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize("url", GOOD_URLS)
def test_safe_url_allows_web_mail_phone_and_relative_urls(url: str) -> None:
    assert safe_url(url) == url


def test_safe_url_trims_what_browsers_ignore() -> None:
    assert safe_url("  https://x.org/a\n") == "https://x.org/a"


# --- render_rich_text: strings and ProseMirror JSON --------------------------------------------


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_rich_text_strings_are_sanitised(html: str) -> None:
    out = render_rich_text(html)
    assert isinstance(out, Markup)
    assert_inert(str(out))


def test_rich_text_renders_a_prosemirror_document() -> None:
    doc = {
        "type": "doc",
        "content": [
            {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "H"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "a ", "marks": [{"type": "bold"}]},
                    {
                        "type": "text",
                        "text": "b",
                        "marks": [
                            {"type": "italic"},
                            {"type": "link", "attrs": {"href": "https://x.org/?q=1&r=2"}},
                        ],
                    },
                    {"type": "hardBreak"},
                    {"type": "text", "text": "c", "marks": [{"type": "code"}]},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "1"}]}
                        ],
                    }
                ],
            },
            {
                "type": "orderedList",
                "attrs": {"start": 3},
                "content": [{"type": "listItem", "content": [{"type": "text", "text": "3"}]}],
            },
            {"type": "blockquote", "content": [{"type": "text", "text": "q"}]},
            {
                "type": "codeBlock",
                "attrs": {"language": "python"},
                "content": [{"type": "text", "text": "if a < b:\n    pass"}],
            },
            {"type": "horizontalRule"},
            {"type": "image", "attrs": {"src": "/m/1.png", "alt": 'a "cat"'}},
        ],
    }
    assert str(render_rich_text(doc)) == (
        "<h3>H</h3>"
        "<p><strong>a </strong>"
        '<em><a href="https://x.org/?q=1&amp;r=2" rel="noopener noreferrer">b</a></em>'
        "<br><code>c</code></p>"
        "<ul><li><p>1</p></li></ul>"
        '<ol start="3"><li>3</li></ol>'
        "<blockquote>q</blockquote>"
        '<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>'
        "<hr>"
        '<img src="/m/1.png" alt="a &#34;cat&#34;" loading="lazy">'
    )


def test_rich_text_escapes_text_nodes() -> None:
    out = str(render_rich_text(text_of({"type": "text", "text": "<script>alert(1)</script>"})))
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize("href", BAD_URLS)
def test_rich_text_drops_link_marks_with_unsafe_targets(href: Any) -> None:
    out = str(render_rich_text(text_of(link(href))))
    assert out == "<p>click</p>"


@pytest.mark.parametrize("src", BAD_URLS)
def test_rich_text_drops_images_with_unsafe_sources(src: Any) -> None:
    doc = {"type": "doc", "content": [{"type": "image", "attrs": {"src": src, "alt": "x"}}]}
    assert str(render_rich_text(doc)) == ""


def test_rich_text_link_attributes_cannot_break_out() -> None:
    mark = {"type": "link", "attrs": {"href": '/x" onclick="alert(1)', "title": '"><script>'}}
    out = str(render_rich_text(text_of({"type": "text", "text": "t", "marks": [mark]})))
    scan = assert_inert(out)
    assert scan.tags == ["p", "a"]
    assert ("a", "href", '/x" onclick="alert(1)') in scan.attributes


@pytest.mark.parametrize(
    ("level", "tag"),
    [
        *[(1, "h1"), (6, "h6"), (99, "h6"), (0, "h1"), (-4, "h1"), ("4", "h4")],
        *[("1 onclick=x", "h2"), (True, "h2"), (None, "h2"), (2.5, "h2"), ("<script>", "h2")],
        *[("1a", "h2"), (" 3 ", "h3"), ("", "h2"), ("1e9", "h2")],
    ],
)
def test_rich_text_heading_levels_are_clamped_integers(level: Any, tag: str) -> None:
    doc = {"type": "heading", "attrs": {"level": level}, "content": [{"type": "text", "text": "x"}]}
    assert str(render_rich_text(doc)) == f"<{tag}>x</{tag}>"


def test_rich_text_html_nodes_are_sanitised() -> None:
    doc = {"type": "doc", "content": [{"type": "html", "html": "<b>ok</b><img src=x onerror=a()>"}]}
    out = str(render_rich_text(doc))
    assert_inert(out)
    assert out == '<b>ok</b><img src="x">'


def test_rich_text_unknown_nodes_render_only_their_children() -> None:
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "callout",
                "attrs": {"html": "<script>alert(1)</script>", "onclick": "alert(1)"},
                "text": "<script>",
                "content": [{"type": "text", "text": "inside", "marks": [{"type": "blink"}]}],
            }
        ],
    }
    assert str(render_rich_text(doc)) == "inside"


def test_rich_text_code_block_language_cannot_inject_attributes() -> None:
    doc = {
        "type": "codeBlock",
        "attrs": {"language": 'x" onmouseover="alert(1)'},
        "content": [{"type": "text", "text": "</code><script>alert(1)</script>"}],
    }
    out = str(render_rich_text(doc))
    assert_inert(out)
    assert out.startswith("<pre><code>&lt;/code&gt;&lt;script&gt;")


def test_rich_text_nesting_is_bounded() -> None:
    doc: dict[str, Any] = {"type": "text", "text": "deep"}
    for _ in range(5000):
        doc = {"type": "blockquote", "content": [doc]}
    out = str(render_rich_text(doc))
    assert "deep" not in out
    assert out.count("<blockquote>") <= 33


@pytest.mark.parametrize("value", [None, 42, 1.5, True, ["<script>"], ("x",), b"<b>"])
def test_rich_text_of_anything_else_is_empty(value: Any) -> None:
    assert render_rich_text(value) == Markup("")


def test_rich_text_skips_malformed_nodes() -> None:
    doc = {"type": "doc", "content": ["<script>", 3, None, {"type": "text", "text": 5}, {}]}
    assert str(render_rich_text(doc)) == ""


# --- render_blocks: block-editor shape ---------------------------------------------------------


def wp(name: str, inner: list[Any] | None = None, **attributes: Any) -> dict[str, Any]:
    block: dict[str, Any] = {"name": name, "attributes": attributes}
    if inner is not None:
        block["innerBlocks"] = inner
    return block


@pytest.mark.parametrize("html", HOSTILE_HTML)
@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        ("core/paragraph", "content"),
        ("core/heading", "content"),
        ("core/list-item", "content"),
        ("core/code", "content"),
        ("core/preformatted", "content"),
        ("core/html", "content"),
        ("core/quote", "citation"),
        ("core/quote", "value"),
        ("core/list", "values"),
        ("core/button", "text"),
    ],
)
def test_editor_blocks_sanitise_html_attributes(name: str, attribute: str, html: str) -> None:
    assert_inert(str(render_blocks([wp(name, **{attribute: html})])))


def test_editor_blocks_render_the_core_kinds() -> None:
    blocks = [
        wp("core/paragraph", content="<b>x</b> &amp; y"),
        wp("core/heading", level=3, content="H"),
        wp(
            "core/list",
            [
                wp("core/list-item", content="a"),
                wp("core/list-item", [wp("core/list")], content="b"),
            ],
            ordered=True,
        ),
        wp("core/quote", [wp("core/paragraph", content="q")], citation="Ann"),
        wp("core/image", url="/m/1.png", alt="A", caption="<em>c</em>"),
        wp("core/code", content="a &lt; b"),
        wp("core/preformatted", content="pre"),
        wp("core/separator"),
        wp("core/buttons", [wp("core/button", url="https://x.org", text="Go")]),
        wp("core/columns", [wp("core/column", [wp("core/paragraph", content="c1")])]),
        wp("core/group", [wp("core/paragraph", content="g")]),
    ]
    assert str(render_blocks(blocks)) == (
        "<p><b>x</b> &amp; y</p>"
        "<h3>H</h3>"
        "<ol><li>a</li><li>b<ul></ul></li></ol>"
        "<blockquote><p>q</p><cite>Ann</cite></blockquote>"
        '<figure><img src="/m/1.png" alt="A" loading="lazy"><figcaption><em>c</em></figcaption>'
        "</figure>"
        "<pre><code>a &lt; b</code></pre>"
        "<pre>pre</pre>"
        "<hr>"
        '<div class="buttons"><a class="button" href="https://x.org" rel="noopener noreferrer">'
        "Go</a></div>"
        '<div class="columns"><div class="column"><p>c1</p></div></div>'
        '<div class="group"><p>g</p></div>'
    )


def test_editor_paragraph_with_a_script_keeps_only_the_text() -> None:
    out = str(render_blocks([wp("core/paragraph", content="hi<script>alert(1)</script>")]))
    assert out == "<p>hi</p>"


@pytest.mark.parametrize(
    ("level", "tag"), [("1 onclick=x", "h2"), (99, "h6"), (0, "h1"), ("3", "h3"), ([1], "h2")]
)
def test_editor_heading_level_is_a_clamped_integer(level: Any, tag: str) -> None:
    out = str(render_blocks([wp("core/heading", level=level, content="x")]))
    assert out == f"<{tag}>x</{tag}>"
    assert "onclick" not in out


@pytest.mark.parametrize("url", BAD_URLS)
def test_editor_image_and_button_refuse_unsafe_urls(url: Any) -> None:
    out = str(
        render_blocks(
            [
                wp("core/image", url=url, alt="x"),
                wp("core/image", url="/ok.png", href=url),
                wp("core/button", url=url, text="Go"),
                wp("core/embed", url=url),
            ]
        )
    )
    assert_inert(out)
    assert out == (
        '<figure><img src="/ok.png" alt="" loading="lazy"></figure><span class="button">Go</span>'
    )


def test_editor_image_alt_cannot_break_out() -> None:
    out = str(render_blocks([wp("core/image", url="/a.png", alt='"><script>alert(1)</script>')]))
    scan = assert_inert(out)
    assert ("img", "alt", '"><script>alert(1)</script>') in scan.attributes


def test_unknown_blocks_render_their_inner_blocks_and_none_of_their_attributes() -> None:
    block = wp(
        "acme/widget",
        [wp("core/paragraph", content="inner")],
        content="SECRET <script>alert(1)</script>",
        html="SECRET",
        url="javascript:alert(1)",
    )
    assert str(render_blocks([block, {"name": "", "innerBlocks": []}])) == "<p>inner</p>"


def test_blocks_skip_entries_that_are_not_objects() -> None:
    blocks = ["<script>alert(1)</script>", 1, None, [wp("core/paragraph", content="x")]]
    blocks.append(wp("core/paragraph", content="ok"))
    assert str(render_blocks(blocks)) == "<p>ok</p>"


def test_block_nesting_is_bounded() -> None:
    block = wp("core/paragraph", content="deep")
    for _ in range(5000):
        block = wp("core/group", [block])
    out = str(render_blocks([block]))
    assert "deep" not in out
    assert out.count("<div") <= 33


@pytest.mark.parametrize("value", [None, "<script>alert(1)</script>", {"name": "core/html"}, 3])
def test_blocks_of_anything_but_a_list_are_empty(value: Any) -> None:
    assert render_blocks(value) == Markup("")


def test_attributes_that_are_not_objects_render_as_empty() -> None:
    out = render_blocks([{"name": "core/paragraph", "attributes": "<script>alert(1)</script>"}])
    assert out == Markup("")


# --- render_blocks: plain shape ----------------------------------------------------------------


def test_plain_blocks_escape_their_text() -> None:
    blocks = [
        {"type": "paragraph", "text": "<b>x</b> & <script>alert(1)</script>"},
        {"type": "heading", "level": 2, "text": "<i>h</i>"},
        {"type": "quote", "text": "<q>", "cite": "<img src=x onerror=alert(1)>"},
        {"type": "code", "code": "</code><script>alert(1)</script>", "language": "js"},
        {"type": "image", "url": "/a.png", "alt": "<x>", "caption": "<script>c</script>"},
    ]
    out = str(render_blocks(blocks))
    assert_inert(out)
    assert Scan(out).tags == [
        *("p", "h2", "blockquote", "p", "cite", "pre", "code", "figure", "img", "figcaption")
    ]
    assert "<p>&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>" in out
    assert "<h2>&lt;i&gt;h&lt;/i&gt;</h2>" in out
    assert "<cite>&lt;img src=x onerror=alert(1)&gt;</cite>" in out
    assert "<figcaption>&lt;script&gt;c&lt;/script&gt;</figcaption>" in out
    assert '<pre><code class="language-js">&lt;/code&gt;&lt;script&gt;' in out


def test_plain_blocks_render_lists_images_and_html() -> None:
    blocks = [
        {"type": "list", "items": ["a", {"text": "b", "items": ["b1"]}, 3, None]},
        {"type": "list", "ordered": True, "items": ["x"]},
        {"type": "image", "url": "https://cdn.example.org/a.png", "alt": "A"},
        {"type": "html", "html": "<p>ok<script>alert(1)</script></p>"},
        {"type": "divider"},
    ]
    assert str(render_blocks(blocks)) == (
        "<ul><li>a</li><li>b<ul><li>b1</li></ul></li></ul>"
        "<ol><li>x</li></ol>"
        '<figure><img src="https://cdn.example.org/a.png" alt="A" loading="lazy"></figure>'
        "<p>ok</p>"
        "<hr>"
    )


@pytest.mark.parametrize(("level", "tag"), [("1 onclick=x", "h2"), (99, "h6"), ("5", "h5")])
def test_plain_heading_level_is_a_clamped_integer(level: Any, tag: str) -> None:
    out = str(render_blocks([{"type": "heading", "level": level, "text": "x"}]))
    assert out == f"<{tag}>x</{tag}>"


@pytest.mark.parametrize("url", BAD_URLS)
def test_plain_image_refuses_unsafe_urls(url: Any) -> None:
    assert render_blocks([{"type": "image", "url": url, "alt": "x"}]) == Markup("")


def test_plain_unknown_blocks_show_none_of_their_fields() -> None:
    blocks = [{"type": "widget", "text": "SECRET", "html": "<b>SECRET</b>", "innerBlocks": []}]
    assert render_blocks(blocks) == Markup("")


def test_bad_url_oracle_agrees_with_safe_url() -> None:
    # The tests' own check must catch what safe_url refuses, or the tests above prove nothing.
    for url in BAD_URLS:
        if isinstance(url, str) and url.strip() and not url.startswith(("&", "file")):
            assert is_bad_url(url.replace("\n", "").replace("\t", "")), url
