"""Fixtures the engine tests share with the scenario tests."""

from tests.scenarios.conftest import julija  # noqa: F401 - Julija's case, identified

__all__ = ["julija"]
