"""The layers' import rules (STYLE.md §2, ARCHITECTURE.md "Layers and their direction").

Every module of ``src/masthead`` is parsed with ``ast``, so an import inside a function or
under ``TYPE_CHECKING`` counts as much as one at the top. The rules:

1. the core imports no web, SQL, cloud or image library, and no outer layer;
2. storage and media import nothing from ``api/`` (nor the CLI or the worker);
3. the modules of ``api/`` itself import no dialect (``app.py``, the composition root that
   mounts them, excepted);
4. a dialect never imports another dialect;
5. dialects reach storage only through the core: they import nothing from ``storage/`` and
   never touch ``AppServices.database`` (handlers get a unit of work from
   ``services.uow()`` / ``services.read_uow()``).

Dialects are found as the subpackages of ``masthead.api``, so a new one is covered at once.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import masthead

SRC = Path(masthead.__file__).parent
API = SRC / "api"
# The dialects ARCHITECTURE.md names, and any other subpackage of api/ that appears.
DIALECTS = sorted(
    {"native", "trokky", "apps", "toast", "workflow"}
    | {p.name for p in API.iterdir() if (p / "__init__.py").exists()}
)

WEB = ("fastapi", "starlette", "httpx", "uvicorn", "multipart", "python_multipart")
SQL = ("sqlalchemy", "alembic", "psycopg", "psycopg2", "sqlite3")
CLOUD = ("boto3", "botocore", "redis")
IMAGES = ("PIL", "pillow_avif")
OUTER = ("masthead.api", "masthead.storage", "masthead.media", "masthead.worker", "masthead.cli")


@dataclass(frozen=True)
class Rule:
    name: str
    applies_to: tuple[str, ...]  # module prefixes
    forbidden: tuple[str, ...]
    exempt: tuple[str, ...] = ()

    def covers(self, module: str) -> bool:
        return _under(module, self.applies_to) and module not in self.exempt

    def broken_by(self, names: set[str], module: str) -> set[str]:
        own = _owner(module)
        return {n for n in names if _under(n, self.forbidden) and (own is None or _owner(n) != own)}


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _owner(module: str) -> str | None:
    """The dialect a module belongs to (masthead.api.<dialect>...), if any."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["masthead", "api"] and parts[2] in DIALECTS:
        return parts[2]
    return None


def dialect_modules(exclude: str | None = None) -> tuple[str, ...]:
    return tuple(f"masthead.api.{d}" for d in DIALECTS if d != exclude)


RULES = (
    Rule(
        "the core imports no web, SQL, cloud or image library, nor an outer layer",
        ("masthead.core",),
        (*WEB, *SQL, *CLOUD, *IMAGES, *OUTER, "masthead.settings"),
    ),
    Rule(
        "storage and media import nothing from api/",
        ("masthead.storage", "masthead.media"),
        ("masthead.api", "masthead.cli", "masthead.worker"),
    ),
    Rule(
        "api/*.py imports no dialect",
        ("masthead.api",),
        dialect_modules(),
        # The composition root mounts every dialect; api/asgi.py builds it.
        exempt=("masthead.api.app", *dialect_modules()),
    ),
    *(
        Rule(
            f"the {dialect} dialect imports no other dialect and no storage",
            (f"masthead.api.{dialect}",),
            (*dialect_modules(exclude=dialect), "masthead.storage"),
        )
        for dialect in DIALECTS
    ),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
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


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    names = imported_modules(source, module, is_package)
    found = []
    for rule in RULES:
        if rule.covers(module):
            found += [f"{rule.name}: {name}" for name in sorted(rule.broken_by(names, module))]
    if _owner(module) is not None:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr == "database":
                found.append(
                    f"handlers get units of work from services, not .database (line {node.lineno})"
                )
    return found


SOURCE_FILES = sorted(SRC.rglob("*.py"))


def test_the_layers_are_found() -> None:
    modules = {module_name(p) for p in SOURCE_FILES}
    assert {"masthead.core.errors", "masthead.storage.uow", "masthead.api.app"} <= modules
    assert "native" in DIALECTS
    api_modules = {m for m in modules if m.startswith("masthead.api.")} - {"masthead.api.app"}
    assert all(any(rule.covers(m) for rule in RULES) for m in api_modules)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.relative_to(SRC).as_posix())
def test_module_keeps_the_layer_rules(path: Path) -> None:
    module = module_name(path)
    assert not violations(path.read_text(), module, path.name == "__init__.py")


# --- the check itself: each rule catches what it must, and lets the rest through -----------


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("masthead.core.services.x", "import sqlalchemy"),
        ("masthead.core.services.x", "import sqlalchemy.orm as orm"),
        ("masthead.core.services.x", "from fastapi import Request"),
        ("masthead.core.services.x", "from starlette.responses import Response"),
        ("masthead.core.services.x", "from PIL import Image"),
        ("masthead.core.services.x", "import boto3"),
        ("masthead.core.services.x", "from psycopg import sql"),
        ("masthead.core.services.x", "from masthead.storage.uow import Database"),
        ("masthead.core.services.x", "from masthead import api"),
        ("masthead.core.services.x", "from masthead.settings import Settings"),
        ("masthead.core.services.x", "from ...storage import tables"),
        ("masthead.core.services.x", "from ... import api"),
        ("masthead.core.services.x", "def f():\n    import httpx\n"),
        (
            "masthead.core.x",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import alembic\n",
        ),
        ("masthead.storage.repositories.x", "from masthead.api.context import AppServices"),
        ("masthead.media.x", "from ..api import errors"),
        ("masthead.api.query_params", "from masthead.api.native.errors import native_code"),
        ("masthead.api.errors", "from .native import PREFIX"),
        ("masthead.api.native.documents", "from masthead.api.trokky import schemas"),
        ("masthead.api.native.documents", "from ..toast.errors import render"),
        ("masthead.api.native.documents", "from masthead.storage.uow import Database"),
        ("masthead.api.native.documents", "def f(services):\n    return services.database.uow()\n"),
    ],
)
def test_the_check_catches_broken_rules(module: str, source: str) -> None:
    assert violations(source, module), (module, source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("masthead.core.services.x", "import jwt"),
        ("masthead.core.services.x", "import pydantic"),
        ("masthead.core.services.x", "from masthead.core import errors"),
        ("masthead.core.services.x", "from ..models import Space"),
        ("masthead.core.services.x", "from ..storage_rules import X"),  # inside the core
        ("masthead.core.services.x", "import masthead.apis_are_not_api"),
        ("masthead.storage.x", "from masthead.core.ports import UnitOfWork"),
        ("masthead.api.app", "from masthead.api import native"),
        ("masthead.api.native.documents", "from masthead.api.native.errors import native_code"),
        ("masthead.api.native.documents", "from .content_schemas import DocumentOut"),
        ("masthead.api.native.documents", "from masthead.api.query_params import parse_flag"),
        ("masthead.api.native.documents", "def f(services):\n    return services.uow()\n"),
    ],
)
def test_the_check_allows_what_the_layers_may_use(module: str, source: str) -> None:
    assert not violations(source, module), (module, source)
