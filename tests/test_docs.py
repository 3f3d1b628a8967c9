"""README.md documents what the code has: every setting, every command, the two make targets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import Typer

from masthead.cli import app
from masthead.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def command_names(typer_app: Typer, prefix: tuple[str, ...] = ()) -> list[str]:
    """ "masthead <group> <command>" for every command registered in ``typer_app``."""
    names: list[str] = []
    for command in typer_app.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        names.append(" ".join(("masthead", *prefix, name)))
    for group in typer_app.registered_groups:
        assert group.name is not None
        names.extend(command_names(group.typer_instance, (*prefix, group.name)))
    return names


COMMANDS = command_names(app)


def readme_make_targets() -> set[str]:
    """Targets of `make X` in README code spans and fenced code blocks."""
    targets = set(re.findall(r"`make ([\w-]+)`", README))
    for block in re.findall(r"```[a-z]*\n(.*?)```", README, flags=re.DOTALL):
        targets.update(re.findall(r"^make ([\w-]+)", block, flags=re.MULTILINE))
    return targets


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([\w.-]+):(?!=)", MAKEFILE, flags=re.MULTILINE))


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_readme(field: str) -> None:
    assert f"`MASTHEAD_{field.upper()}`" in README


def test_command_walk_covers_nested_commands() -> None:
    assert {"masthead migrate", "masthead serve", "masthead spaces create"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_cli_command_is_documented_in_readme(command: str) -> None:
    assert re.search(rf"\b{re.escape(command)}(?![\w-])", README), command


def test_readme_names_make_run_and_make_test() -> None:
    assert {"run", "test"} <= readme_make_targets()


@pytest.mark.parametrize("target", sorted(readme_make_targets()))
def test_make_targets_in_readme_exist_in_makefile(target: str) -> None:
    assert target in makefile_targets()
