"""Text folding: how ``contains`` filters and full-text search compare text, on both databases.

One behaviour everywhere: case-insensitive and accent-insensitive. Text is decomposed (NFKD),
its combining accents (U+0300-U+036F) are dropped, and it is lowercased, so "Café" matches
"cafe" and "ÉCOLE" matches "école". PostgreSQL does it in SQL (``FOLD_SQL``, which the
full-text GIN index is built on, migration 0005); SQLite calls ``fold`` as the SQL function
``masthead_fold``, registered on every connection by ``storage/database.py`` (FTS5's
``unicode61 remove_diacritics 2`` tokenizer folds the indexed text the same way).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, String, Text, bindparam, cast, func, literal_column
from sqlalchemy.orm import InstrumentedAttribute

SQLITE_FUNCTION = "masthead_fold"
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
_ACCENTS = re.compile("[\u0300-\u036f]")
# The same steps as ``fold``; the PostgreSQL GIN search indexes are built on this expression
# (with the column ``search_text``), so queries must spell it exactly so to use them.
FOLD_SQL = "lower(regexp_replace(normalize({}, NFKD), '[\\u0300-\\u036f]', '', 'g'))"


def fold(value: Any) -> str | None:
    """``value`` as text, decomposed, without accents, lowercased; None stays None."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return _ACCENTS.sub("", unicodedata.normalize("NFKD", text)).lower()


def folded(dialect: str, expr: Column) -> ColumnElement[Any]:
    """The SQL expression of ``expr`` folded, for ``dialect``."""
    if dialect == "sqlite":
        sqlite_fold: ColumnElement[Any] = getattr(func, SQLITE_FUNCTION)(expr)
        return sqlite_fold
    decomposed = func.normalize(cast(expr, Text), literal_column("NFKD"))
    stripped = func.regexp_replace(
        decomposed,
        literal_column("'[\\u0300-\\u036f]'"),
        literal_column("''"),
        literal_column("'g'"),
    )
    return func.lower(stripped)


def contains(dialect: str, expr: Column, needle: str) -> ColumnElement[bool]:
    """``expr`` holds ``needle``, both folded: a substring test (``instr``/``strpos``), so no
    character of the needle is a wildcard and nothing needs escaping."""
    position = func.instr if dialect == "sqlite" else func.strpos
    folded_needle = folded(dialect, bindparam(None, needle, type_=String))
    matched: ColumnElement[bool] = position(folded(dialect, expr), folded_needle) > 0
    return matched


def folded_column_sql(column: str) -> str:
    """``FOLD_SQL`` applied to the SQL text ``column`` (PostgreSQL)."""
    return FOLD_SQL.format(column)
