"""The installed package carries the base content: an edition works from a built wheel, far from the source tree."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(out), str(ROOT)], capture_output=True, text=True)
    if result.returncode != 0 and "hatchling" in result.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert result.returncode == 0, result.stderr
    wheel = next(out.glob("wugu-*.whl"))
    target = out / "site"
    zipfile.ZipFile(wheel).extractall(target)
    return target


def test_wheel_carries_schemas_and_base_content(unpacked_wheel):
    base = unpacked_wheel / "wugu" / "_base"
    assert (base / "wugu.yml").is_file()
    assert len(list((base / "regulations").glob("*.yml"))) == 16
    assert (base / "schemas" / "overrides.schema.json").is_file()
    assert (base / "guides" / "emergency.yml").is_file() and (base / "schemas" / "guide.schema.json").is_file()


def test_edition_from_the_wheel(unpacked_wheel, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel)}
    run = lambda *a, cwd=tmp_path: subprocess.run([sys.executable, "-m", "wugu", *a], cwd=cwd, env=env,  # noqa: E731
                                                  capture_output=True, text=True)
    where = subprocess.run(
        [sys.executable, "-c", "import wugu.resources as r; print(r.base_dir())"], env=env, cwd=tmp_path,
        capture_output=True, text=True)
    assert str(unpacked_wheel) in where.stdout
    assert run("init", "ed", "--name", "青禾县服务团", "--level", "县").returncode == 0
    result = run("check", cwd=tmp_path / "ed")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "16 项制度，48 条服务规范" in result.stdout
