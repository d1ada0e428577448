"""Shared test helpers: the repository root and a runner for the real ``wugu`` command."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_wugu(*args: str, cwd: Path | str = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command line (``python -m wugu …``) and capture its output."""
    return subprocess.run([sys.executable, "-m", "wugu", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def wugu():
    """The real CLI as a function: ``wugu("check", "some/dir")``."""
    return run_wugu


@pytest.fixture
def root() -> Path:
    """The repository root, which is itself the base handbook project."""
    return ROOT
