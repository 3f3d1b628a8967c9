"""The types every new space starts with: ``post`` and ``page``, with the Toast content fields
(title, slug, body, excerpt, featureImage, metaTitle, metaDescription, ogImage) plus ``blocks``,
the workflow API's ``personalization`` and ``tags``, so the API documents' examples work
without setup."""

from __future__ import annotations

from masthead.core.content_types import ContentTypeSpec, FieldDef, FieldType, TypeKind
from masthead.core.limits import MAX_SLUG, MAX_TITLE

_COMMON = (
    FieldDef(name="title", type=FieldType.STRING, title="Title", max_length=MAX_TITLE),
    FieldDef(name="slug", type=FieldType.SLUG, title="Slug", max_length=MAX_SLUG),
    FieldDef(name="body", type=FieldType.RICHTEXT, title="Body"),
    FieldDef(name="blocks", type=FieldType.BLOCKS, title="Blocks"),
    FieldDef(name="excerpt", type=FieldType.TEXT, title="Excerpt", max_length=2000),
    FieldDef(name="featureImage", type=FieldType.MEDIA, title="Feature image"),
    FieldDef(name="metaTitle", type=FieldType.STRING, title="Meta title", max_length=300),
    FieldDef(
        name="metaDescription", type=FieldType.TEXT, title="Meta description", max_length=1000
    ),
    FieldDef(name="ogImage", type=FieldType.MEDIA, title="Open Graph image"),
    # The workflow API's per-item personalization config, stored and returned as given.
    FieldDef(name="personalization", type=FieldType.JSON, title="Personalization"),
)

BUILTIN_TYPES: tuple[ContentTypeSpec, ...] = (
    ContentTypeSpec(
        name="post",
        title="Post",
        kind=TypeKind.COLLECTION,
        fields=(*_COMMON, FieldDef(name="tags", type=FieldType.LIST, of=FieldType.STRING)),
        route_pattern="/blog/{slug}",
        template="post",
    ),
    ContentTypeSpec(
        name="page",
        title="Page",
        kind=TypeKind.COLLECTION,
        fields=_COMMON,
        route_pattern="/{slug}",
        template="page",
    ),
)
