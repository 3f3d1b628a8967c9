"""Settings whose defaults are worked out rather than written: the server's processes."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from masthead.settings import Settings


def test_auto_workers_start_one_process_without_redis() -> None:
    assert Settings(workers="auto", redis_url=None).effective_workers == 1


def test_auto_workers_start_one_process_per_cpu_with_redis() -> None:
    settings = Settings(workers="auto", redis_url="redis://127.0.0.1:6379/0")
    assert settings.effective_workers == (os.cpu_count() or 1)


def test_a_number_of_workers_is_taken_as_given() -> None:
    assert Settings(workers=3, redis_url=None).effective_workers == 3


@pytest.mark.parametrize("value", [0, -1, "many"])
def test_other_worker_counts_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        Settings(workers=value)  # type: ignore[arg-type]
