"""``expand`` and ``fields`` on the wire, for every dialect: inlining the references and media
the core resolved (``core/services/queries.expand``) into a document's data, and keeping only
the fields a client asked for. Each dialect passes its own renderers, so an inlined document
has that dialect's shape."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any
from uuid import UUID

from masthead.core.documents import Document, Expanded
from masthead.core.media import MediaAsset

MediaRenderer = Callable[[MediaAsset], dict[str, Any]]
"""Shapes an expanded media asset (its URLs depend on settings the schemas do not hold)."""
DocumentRenderer = Callable[[Document, tuple[str, ...]], dict[str, Any]]
"""Shapes an expanded document, given the paths still to expand below it."""


def split_paths(paths: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """("author.company", "tags") → {"author": ("company",), "tags": ()}."""
    tree: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        children = tree.setdefault(head, [])
        if rest:
            children.append(rest)
    return {head: tuple(children) for head, children in tree.items()}


def inline_expanded(
    data: Mapping[str, Any],
    expanded: Mapping[UUID, Expanded],
    paths: tuple[str, ...],
    render_document: DocumentRenderer,
    render_media: MediaRenderer | None,
) -> dict[str, Any]:
    """``data`` with each id under an expanded path replaced by what it names. Ids the core
    did not resolve (other spaces, unpublished, deleted) stay as they are."""
    if not paths or not expanded:
        return dict(data)
    out = dict(data)
    for name, below in split_paths(paths).items():
        value = out.get(name)

        def one(raw: Any, below: tuple[str, ...] = below) -> Any:
            try:
                target = expanded.get(UUID(str(raw)))
            except ValueError:
                return raw
            if target is None:
                return raw
            if isinstance(target, MediaAsset):
                return render_media(target) if render_media else raw
            return render_document(target, below)

        if isinstance(value, list):
            out[name] = [one(v) for v in value]
        elif value is not None:
            out[name] = one(value)
    return out


def pick_fields(
    shaped: dict[str, Any],
    fields: Collection[str] | None,
    *,
    always: Collection[str],
    nested: str | None = None,
) -> dict[str, Any]:
    """Keep the keys ``fields`` names, plus ``always`` (identity keys). ``nested``: the key
    of an inner object whose keys are picked the same way (native documents keep type fields
    under ``data``)."""
    if not fields:
        return shaped
    keep = set(fields) | set(always)
    picked = {k: v for k, v in shaped.items() if k in keep and k != nested}
    inner = shaped.get(nested) if nested else None
    if isinstance(inner, dict):
        picked_inner = {k: v for k, v in inner.items() if k in keep}
        if picked_inner:
            picked[nested] = picked_inner  # type: ignore[index]
    return picked
