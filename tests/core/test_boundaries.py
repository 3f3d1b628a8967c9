"""The core imports no web framework, database driver, cloud SDK or outer layer (STYLE.md §2).

Every ``src/masthead/core/**/*.py`` is parsed with ``ast``, so an import inside a function or
under ``TYPE_CHECKING`` counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import masthead.core

CORE_DIR = Path(masthead.core.__file__).parent
FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "boto3",
    "botocore",
    "PIL",
    "httpx",
    "uvicorn",
    "alembic",
    "psycopg",
    "psycopg2",
    "masthead.api",
    "masthead.storage",
    "masthead.media",
    "masthead.worker",
    "masthead.cli",
)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` imports, relative imports resolved against ``module``."""
    names: set[str] = set()
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            # ``from masthead import api`` imports masthead.api
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def forbidden_in(names: set[str]) -> set[str]:
    return {n for n in names for f in FORBIDDEN if n == f or n.startswith(f + ".")}


def _core_files() -> list[Path]:
    return sorted(CORE_DIR.rglob("*.py"))


def test_the_core_files_are_found() -> None:
    found = {p.relative_to(CORE_DIR).as_posix() for p in _core_files()}
    assert {"errors.py", "security.py", "access.py", "services/auth.py"} <= found


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: p.relative_to(CORE_DIR).as_posix())
def test_core_module_imports_no_outer_layer(path: Path) -> None:
    module = _module_name(path, CORE_DIR)
    assert module.startswith("masthead.core")
    names = imported_modules(path.read_text(), module, path.name == "__init__.py")
    assert not forbidden_in(names), f"{module} imports {sorted(forbidden_in(names))}"


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "import sqlalchemy.orm as orm",
        "from fastapi import Request",
        "from starlette.responses import Response",
        "from PIL import Image",
        "import boto3",
        "from psycopg import sql",
        "from masthead.storage.uow import Database",
        "from masthead import api",
        "from masthead.media import images",
        "from ...storage import tables",  # masthead.storage, seen from core/services/
        "from ... import api",
        "def f():\n    import httpx\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import alembic\n",
    ],
)
def test_the_check_catches_forbidden_imports(source: str) -> None:
    """The check itself: each of these in core/services/x.py would be flagged."""
    names = imported_modules(source, "masthead.core.services.x")
    assert forbidden_in(names), names


@pytest.mark.parametrize(
    "source",
    [
        "import jwt",
        "import pydantic",
        "from masthead.core import errors",
        "from . import access",
        "from ..models import Space",
        "from ..storage_rules import X",  # masthead.core.storage_rules: inside the core
        "from masthead.settings_like import X",
        "import masthead.apis_are_not_api",
    ],
)
def test_the_check_allows_core_and_plain_libraries(source: str) -> None:
    assert not forbidden_in(imported_modules(source, "masthead.core.services.x"))
