"""`masthead releases publish|list|activate|export`: a release built in-process, listed,
activated, and exported to a directory a static host can serve, on both databases."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from masthead.cli import app
from masthead.core import access
from masthead.core.services import documents
from masthead.core.workflow import Status
from masthead.settings import Settings
from masthead.storage.database import make_engine
from masthead.storage.uow import Database
from tests.conftest import FakeClock

SECRET = "cli-releases-test-secret-0123456789abcdef"
RELEASE = re.compile(r"Release (\S+) \(")


def _env(**values: str) -> dict[str, str | None]:
    env: dict[str, str | None] = {f"MASTHEAD_{n.upper()}": None for n in Settings.model_fields}
    env.update(values)
    return env


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_engine(database_url))
    yield db
    db.dispose()


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = _env(
        MASTHEAD_DATABASE_URL=database_url,
        MASTHEAD_DATA_DIR=str(tmp_path / "data"),
        MASTHEAD_SECRET_KEY=SECRET,
        MASTHEAD_ADMIN_PASSWORD="correct-horse-battery",
        MASTHEAD_SITE_URL="https://example.org",
    )

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(app, list(args), env=env, prog_name="masthead")
        if ok:
            assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
        return result

    invoke("migrate")
    return invoke


def _post(database: Database, clock: FakeClock, title: str, body: str) -> None:
    with database.read_uow() as uow:
        space = uow.spaces.get_by_slug("default")
    inp = documents.DocumentInput(
        type="post", title=title, data={"body": body}, status=Status.PUBLISHED
    )
    documents.create_document(database.uow(), clock, access.system_actor(space), inp)


def test_publish_list_activate_and_export_a_release(
    cli: Any, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    _post(database, clock, "Hello World", "<p>First words</p>")
    first = RELEASE.search(cli("releases", "publish").output)
    assert first is not None
    _post(database, clock, "Second", "<p>More</p>")
    second = RELEASE.search(cli("releases", "publish").output)
    assert second is not None
    listed = cli("releases", "list").output.splitlines()
    assert [line.split("\t")[1] for line in listed] == [second.group(1), first.group(1)]
    assert listed[1].startswith("*")  # the first release is the active one

    cli("releases", "activate", second.group(1))
    assert cli("releases", "list").output.splitlines()[0].startswith("*")

    target = tmp_path / "site"
    cli("releases", "export", second.group(1), str(target))
    page = (target / "blog" / "hello-world" / "index.html").read_text()
    assert "First words" in page
    assert '<link rel="canonical" href="https://example.org/blog/hello-world"' in page
    assert "https://example.org/blog/second" in (target / "sitemap.xml").read_text()
    assert (target / "blog" / "feed.xml").is_file()
    manifest = json.loads((target / "manifest.json").read_text())
    exported = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    assert exported == set(manifest["files"]) | {"manifest.json"}


def test_an_unknown_release_or_space_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    result = cli("releases", "export", unknown, str(tmp_path / "x"), ok=False)
    assert result.exit_code == 1
    assert "Release not found" in result.output
    result = cli("releases", "list", "--space", "nope", ok=False)
    assert result.exit_code == 1
    assert "no space 'nope'" in result.output
