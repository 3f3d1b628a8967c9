"""Blocks: the content of a ``blocks`` field, a list of block objects in either of two shapes.

- the block-editor shape (WordPress's, which the /v1 contract's editor produces):
  ``{"name": "core/paragraph", "attributes": {...}, "innerBlocks": [...]}``
- the plain shape: ``{"type": "paragraph", ...}``

Every block names its kind with a string ``name`` or ``type``; inner blocks follow the same
rule. Documents and revisions say which shape version they carry
(``BLOCKS_SCHEMA_VERSION``) so that a later shape can be told apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from masthead.core.errors import BlocksInvalid, ErrorKind, FieldError

BLOCKS_SCHEMA_VERSION = 1
MAX_DEPTH = 32  # inner blocks nest; a deeper tree is not a document anyone wrote

BLOCK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "anyOf": [
        {"required": ["name"], "properties": {"name": {"type": "string"}}},
        {"required": ["type"], "properties": {"type": {"type": "string"}}},
    ],
}
"""One block, as JSON Schema (what ``check_blocks`` enforces, for schema consumers)."""


def block_kind(block: dict[str, Any]) -> str | None:
    """The block's kind: ``name`` in the block-editor shape, else ``type``."""
    for key in ("name", "type"):
        value = block.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def walk(blocks: Any, depth: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, block) for every block and inner block, depth first. Non-objects are skipped."""
    if not isinstance(blocks, list) or depth > MAX_DEPTH:
        return
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        yield str(index), block
        for path, inner in walk(block.get("innerBlocks"), depth + 1):
            yield f"{index}.innerBlocks.{path}", inner


def _problems(field: str, blocks: list[Any], depth: int) -> Iterator[FieldError]:
    for index, block in enumerate(blocks):
        path = f"{field}.{index}"
        if not isinstance(block, dict) or block_kind(block) is None:
            yield FieldError(
                path, "a block is an object with a string 'name' (or 'type')", ErrorKind.TYPE
            )
            continue
        inner = block.get("innerBlocks")
        if inner is None:
            continue
        if not isinstance(inner, list):
            yield FieldError(f"{path}.innerBlocks", "must be a list of blocks", ErrorKind.TYPE)
        elif depth >= MAX_DEPTH:
            yield FieldError(f"{path}.innerBlocks", f"nested over {MAX_DEPTH} levels")
        else:
            yield from _problems(f"{path}.innerBlocks", inner, depth + 1)


def check_blocks(field: str, value: Any) -> None:
    """Raise BlocksInvalid naming every block (inner ones included) without a string
    ``name``/``type``. A value that is not a list is left to the type's schema."""
    if not isinstance(value, list):
        return
    details = list(_problems(field, value, 0))
    if details:
        raise BlocksInvalid(details=details)
