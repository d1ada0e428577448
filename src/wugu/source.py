"""Where an edition's CI installs wugu from: a pinned source the project controls, never a name on PyPI.

A name on a package index can be taken by anyone; a CI that runs ``pip install wugu`` would run whatever is
published under that name, with the repository's secrets at hand. So ``wugu init`` writes the source into
``requirements-wugu.txt``: the wugu repository at a fixed commit or tag, an https file with its sha256, or a file
or folder inside the edition's own repository.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path, PurePosixPath

from .errors import WuguError, problem

#: The file the generated CI workflow installs wugu from.
REQUIREMENTS = "requirements-wugu.txt"

_GIT = re.compile(r"git\+https://[A-Za-z0-9._~\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\-]+)+"
                  r"@(?P<ref>[0-9a-f]{40}|v?[0-9]+(?:\.[0-9A-Za-z]+){1,3})")
_FILE_URL = re.compile(r"https://[A-Za-z0-9._~\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%+\-]+)+\.(?:whl|tar\.gz)"
                       r"#sha256=[0-9a-f]{64}")
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+\-]*(?:/[A-Za-z0-9_][A-Za-z0-9._+\-]*)*")

_HEADER = """# CI（.github/workflows/wugu.yml）从这里安装 wugu。
# 不按名字从 PyPI 安装：软件源上的名字谁都可以抢注，按名字安装可能装上别人的程序，还能拿到仓库的密钥。
# 这里固定写明来源：wugu 仓库的某一个提交（40 位提交号）或版本标签、带 sha256 的安装包网址，或本仓库里的文件。
# 升级 wugu 时把下面一行换成新的提交号（或版本标签），核对过改动后再提交。
"""
_MISSING = """# 还没有写从哪里安装 wugu（wugu init 没有找到可以固定的来源），CI 会停在“安装 wugu”一步。
# 写一行，例如：
#   wugu @ git+https://github.com/你们的组织/wugu@<40 位提交号>
# 或把 wugu 的安装包放进本仓库，写它的相对路径，例如：
#   ./vendor/wugu-1.0-py3-none-any.whl
"""


def requirement(spec: str) -> str:
    """The requirement line for ``spec`` (``--wugu-source``); :class:`WuguError` (E503) when it is not pinned."""
    spec = spec.strip()
    if _GIT.fullmatch(spec):
        return f"wugu @ {spec}"
    if _FILE_URL.fullmatch(spec):
        return f"wugu @ {spec}"
    path = spec[2:] if spec.startswith("./") else spec
    if (_LOCAL.fullmatch(path) and ".." not in PurePosixPath(path).parts
            and ("/" in path or path.endswith((".whl", ".tar.gz")))):  # a bare "wugu" reads like the name on PyPI
        return f"./{path}"
    raise WuguError([problem(
        "E503", "--wugu-source", detail=f"--wugu-source“{spec[:80]}”不是固定的来源",
        fix="写 wugu 仓库某个提交的地址，例如 git+https://github.com/某组织/wugu@<40 位提交号>（或 @v1.2 这样的版本标签）；"
            "或带 #sha256=… 的 https 安装包网址；或本仓库里的相对路径，例如 vendor/wugu-1.0-py3-none-any.whl")])


def detected() -> str | None:
    """The requirement line of the wugu that runs now, when it came from a pinned source (a git commit, an https
    file with its hash, or a git checkout with an https remote); None otherwise."""
    from importlib import metadata

    try:
        info = json.loads(metadata.distribution("wugu").read_text("direct_url.json") or "null")
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        return None
    url = info["url"]
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and url.startswith("https://"):
        return _checked(f"git+{url}@{vcs.get('commit_id', '')}")
    archive = info.get("archive_info")
    if isinstance(archive, dict) and url.startswith("https://"):
        digest = str(archive.get("hash", "") or archive.get("hashes", {}).get("sha256", ""))
        return _checked(f"{url}#sha256={digest.removeprefix('sha256=')}")
    if url.startswith("file://") and isinstance(info.get("dir_info"), dict):
        return _from_checkout(Path(url[len("file://"):]))
    return None


def _from_checkout(folder: Path) -> str | None:
    try:
        remote = _git(folder, "remote", "get-url", "origin")
        commit = _git(folder, "rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    if remote.startswith("git@github.com:"):
        remote = "https://github.com/" + remote[len("git@github.com:"):]
    return _checked(f"git+{remote}@{commit}") if remote.startswith("https://") else None


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10,
                          check=True).stdout.strip()


def _checked(spec: str) -> str | None:
    try:
        return requirement(spec)
    except WuguError:
        return None


def requirements_text(line: str | None) -> str:
    """The text of ``requirements-wugu.txt``: why it exists, and the pinned line (or how to write one)."""
    return _HEADER + (line + "\n" if line else _MISSING)
