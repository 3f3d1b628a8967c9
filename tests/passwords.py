"""Cheap argon2 parameters for tests that create users and log in but do not test hashing.

The production hasher takes about a quarter of a second per hash on a small machine, and most
API tests hash twice (create the user, log in). ``tests/core/test_security.py`` and
``tests/storage/test_storage.py`` keep the real parameters.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from masthead.core import security


def use_fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Swap the hasher for the test: still argon2id, with the smallest sensible cost."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
