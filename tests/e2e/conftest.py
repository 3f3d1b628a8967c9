"""Fixtures shared by the real-process tests: ``start_server`` starts `masthead serve`."""

from tests.e2e.test_serve import start_server

__all__ = ["start_server"]
