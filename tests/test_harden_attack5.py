"""Issue 12, fifth attack round (r12 attacker review 3): a build lock that stalled unrelated builds, an editions
list that reached outside its folder, the last scan of built pages letting chrome-like markup through, and two
standard mkdocs-material settings an honest maintainer could not use. Every hostile input is made at run time on a
copy of the shipped content; helpers come from the fourth round's tests.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_project, run_wugu

#: Holds an exclusive lock on each path it is given until its standard input closes (as another build, or any
#: local user running ``flock``, would).
_HOLD = ("import fcntl, os, sys\n"
         "fds = [os.open(p, os.O_RDONLY | (0 if os.path.isdir(p) else os.O_CREAT)) for p in sys.argv[1:]]\n"
         "[fcntl.flock(fd, fcntl.LOCK_EX) for fd in fds]\n"
         "print('held', flush=True)\n"
         "sys.stdin.read()\n")


def _hold(*paths: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, *map(str, paths)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _wait_for(path: Path, needle: str, proc: subprocess.Popen[str], seconds: float = 300) -> str:
    """What ``proc`` wrote to ``path`` once it holds ``needle`` (or once ``proc`` ended; a bounded wait)."""
    import time

    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8")
        if needle in text or proc.poll() is not None:
            return text
        time.sleep(0.1)
    return text


# ---- NEW-4: one lock per output folder, and a word when waiting ------------------------------------------------

def test_builds_into_sibling_folders_never_wait_and_a_held_one_says_it_waits(tmp_path):
    from wugu.output import lock_path

    project = copy_project(tmp_path / "p")
    outs = tmp_path / "outs"
    outs.mkdir()
    # someone holds the shared parent folder (as `flock /tmp` would) and the lock of outs/a (another build of it)
    holder = _hold(outs, lock_path(outs / "a"))
    waiting = None
    try:
        other = run_wugu("build", str(project), "--no-pdf", "--out", str(outs / "b"))
        assert other.returncode == 0, other.stdout + other.stderr
        assert (outs / "b" / "index.html").is_file() and "等待" not in other.stderr
        log = tmp_path / "a.err"
        with log.open("w", encoding="utf-8") as err:
            waiting = subprocess.Popen([sys.executable, "-m", "wugu", "build", str(project), "--no-pdf", "--out",
                                        str(outs / "a")], stdout=subprocess.DEVNULL, stderr=err, text=True)
        said = _wait_for(log, "等待它结束", waiting)
        assert waiting.poll() is None, said  # it waits while the lock is held …
        assert "另一个 wugu 正在生成" in said and "outs/a" in said and "Traceback" not in said
    finally:
        holder.communicate("")
        if waiting is not None:
            waiting.wait(timeout=300)
    assert waiting.returncode == 0, log.read_text(encoding="utf-8")  # … and builds once it is free
    assert (outs / "a" / "index.html").is_file()
    assert sorted(os.listdir(outs)) == ["a", "b"]  # no lock file or temporary folder left beside them


# ---- NEW-7: an editions list names only folders inside its own folder ------------------------------------------

def test_an_editions_list_cannot_name_a_folder_outside_its_own(tmp_path):
    other = tmp_path / "elsewhere" / "proj"  # another group's project on the same machine
    made = run_wugu("init", str(other), "--name", "清河县手牵手服务团", "--level", "县")
    assert made.returncode == 0, made.stdout + made.stderr
    eds = tmp_path / "eds"
    eds.mkdir()
    (eds / "link").symlink_to(other)  # a link committed beside the list
    lines = [str(other), "../elsewhere/proj", "link  # 链接", "sub/../../elsewhere/proj", "."]
    listing = eds / "list.txt"
    listing.write_text("# 本市各地方版\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_wugu("build", "--editions", str(listing), "--out", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [line for line in result.stderr.splitlines() if " error E411: " in line]
    assert [line.split(": error")[0].rsplit(":", 2)[1] for line in problems] == ["2", "3", "4", "5", "6"], problems
    assert all(line.split(":", 1)[0].endswith("list.txt") for line in problems)
    assert "绝对路径" in problems[0] and all("清单文件所在的目录" in line for line in problems[1:])
    assert "Traceback" not in result.stderr
    assert not any(p.suffix == ".pdf" for p in out.rglob("*")) and not (out / "proj").exists()
