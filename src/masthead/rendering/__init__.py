"""HTML rendering for releases: plain values in, safe HTML and XML out.

Pure: no database, no HTTP, no clock. The release builder resolves documents, routes, menus and
media URLs into the values of ``models`` and calls ``Renderer`` and the feed functions.
"""

from masthead.rendering.blocks import render_blocks
from masthead.rendering.feeds import atom_feed, sitemap_xml
from masthead.rendering.html import safe_url, sanitize_html
from masthead.rendering.models import FieldInfo, MenuLink, Page, Site
from masthead.rendering.renderer import Renderer
from masthead.rendering.richtext import render_rich_text

__all__ = [
    "FieldInfo",
    "MenuLink",
    "Page",
    "Renderer",
    "Site",
    "atom_feed",
    "render_blocks",
    "render_rich_text",
    "safe_url",
    "sanitize_html",
    "sitemap_xml",
]
