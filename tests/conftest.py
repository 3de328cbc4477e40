"""Shared fixtures and paths for the test suite."""
from __future__ import annotations

import pytest

from support import FIXTURES


@pytest.fixture
def cable_fixture():
    """Path of a team-written cable fixture under tests/fixtures/cables/."""
    return lambda name: FIXTURES / "cables" / name
