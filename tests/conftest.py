"""Shared test helpers: the repository root and a runner for the real ``wugu`` command."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


#: Project files a copy of the base project needs (what a fresh clone has, minus the tool and the tests).
PROJECT_FILES = ("wugu.yml", "glossary.yml", "facts.yml", "mkdocs.yml", "regulations", "norms", "forms", "packs",
                 "vocab", "guides", "questions", "schemas", "site")


def copy_project(dest: Path) -> Path:
    """A copy of the base project's content, to break or extend without touching the repository."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


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


@pytest.fixture(scope="session")
def pdf_build(tmp_path_factory):
    """One cold `wugu pdf` of a copy of the base handbook, shared by every PDF test of the session:
    (project, output folder, CLI result, seconds)."""
    import time

    base = tmp_path_factory.mktemp("pdf")
    project = copy_project(base / "project")
    out = base / "out-a"
    started = time.perf_counter()
    result = run_wugu("pdf", str(project), "--out", str(out))
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    return project, out, result, seconds


@pytest.fixture(scope="session")
def base_site(tmp_path_factory):
    """The base handbook's whole site (PDFs included), built once per test run through the real CLI."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = run_wugu("build", str(ROOT), "--out", str(out))
    return out, result


#: The phone numbers county-01 of the ``city`` fixture sets (fact name → number), once the fixture has run.
city_phones: dict[str, str] = {}


@pytest.fixture(scope="session")
def city(tmp_path_factory):
    """A small city's editions, generated at run time and built once for the session (tests/test_editions.py,
    tests/test_editions_check.py): (editions folder, the CLI result of `wugu build --editions`, the editions).
    The city, a county with a rewritten clause, two townships with sites of their own, a broken township."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_editions import make_editions

    folder = tmp_path_factory.mktemp("editions") / "city"
    editions = make_editions(folder, counties=1, towns=2, own="county-01", sites=True)  # the city has none
    # county-01 (content of its own already) also sets the phone numbers its emergency card prints
    # (tests/test_guide_pdf.py); made up at run time, never stored
    import random

    phones = {name: f"0{random.randint(530, 539)}-{random.randint(2000000, 8999999)}"
              for name in ("儿童督导员电话", "未保机构电话")}
    with (folder / "county-01" / "local" / "overrides.yml").open("a", encoding="utf-8") as f:
        f.write("facts:\n" + "".join(f"  - name: {k}\n    value: {v}\n" for k, v in phones.items()))
    city_phones.update(phones)
    broken = folder / "county-01-town-03"
    shutil.copytree(editions[-1], broken)
    (broken / "local" / "overrides.yml").write_text("hide_forms: [F11\nhide_packs: []\n", encoding="utf-8")
    result = run_wugu("build", "--editions", str(folder), timeout=600)
    return folder, result, editions
