"""Local editions: start one (``wugu init``), and see what changed in the base since it was last recorded
(``wugu changes``)."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .errors import WuguError, problem
from .escape import has_control
from .validate.privacy import scan_text
from .model import BaseChange, Handbook
from .output import write_atomic, write_failed
from .project import LOCAL, OVERRIDES, PROFILE, display_path, is_edition, link_on_path
from .resources import base_dir, schemas_dir
from .source import REQUIREMENTS, detected, requirement, requirements_text

#: Where an edition records the state of the base it last reviewed (generated; do not edit by hand).
SNAPSHOT = f"{LOCAL}/base-snapshot.json"
#: Where an edition keeps a copy of the installed schemas, for editor completion.
SCHEMA_COPY = ".wugu/schemas"
LEVELS = ("市", "县", "乡镇")


def _digest(obj: object) -> str:
    return hashlib.sha256(repr(obj).encode("utf-8")).hexdigest()[:16]


def snapshot(base: Handbook) -> dict[str, dict[str, str]]:
    """A fingerprint of every item of the base: id → {kind, title, hash}; clauses as ``R05#3``."""
    items: dict[str, dict[str, str]] = {}
    for r in base.regulations:
        items[r.id] = {"kind": "制度", "title": r.title, "hash": _digest((r.title, r.purpose, r.scope, r.duties))}
        for c in r.clauses:
            items[f"{r.id}#{c.number}"] = {"kind": "条款", "title": f"{r.title} 第 {c.number} 条",
                                           "hash": _digest((c.title, c.text, c.items))}
    for n in base.norms:
        items[n.id] = {"kind": "规范", "title": n.rule, "hash": _digest(n)}
    for f in base.forms:
        items[f.id] = {"kind": "表格", "title": f.title, "hash": _digest(f)}
    for p in base.packs:
        items[p.id] = {"kind": "表格包", "title": p.title, "hash": _digest(p)}
    for g in base.guides:
        items[g.id] = {"kind": "指南", "title": g.title, "hash": _digest(g)}
    for f in base.facts:
        items[f"【{f.name}】"] = {"kind": "事实", "title": f.value, "hash": _digest(f.value)}
    return items


def base_handbook() -> Handbook:
    """The base content shipped with the installed wugu, validated."""
    from .validate import load_handbook

    return load_handbook(base_dir())


@dataclass(frozen=True)
class Changes:
    """What changed in the base since the edition last recorded it."""

    recorded_version: str | None
    installed_version: str
    items: tuple[BaseChange, ...]
    log: tuple[tuple[str, str, tuple[str, ...]], ...]  # (version, date, summary) newer than recorded

    @property
    def any(self) -> bool:
        """True if the base moved on since the edition recorded it."""
        return bool(self.items) or self.recorded_version != self.installed_version


def _read_snapshot(root: Path) -> dict[str, dict[str, str]]:
    path = root / SNAPSHOT
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("items", {})
    except (ValueError, OSError):
        return {}


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v))


def changes(root: Path, edition: Handbook, base: Handbook) -> Changes:
    """Compare the installed ``base`` with what the edition recorded (``local/base-snapshot.json``)."""
    old = _read_snapshot(root)
    new = snapshot(base)
    overridden = {f"{r.id}#{c.number}" for r in edition.regulations for c in r.clauses if c.local and not r.local}
    found = []
    for key, item in new.items():
        if key not in old:
            found.append(BaseChange(item["kind"], key, item["title"], "新增"))
        elif old[key]["hash"] != item["hash"]:
            found.append(BaseChange(item["kind"], key, item["title"], "修改", key in overridden))
    for key, item in old.items():
        if key not in new:
            found.append(BaseChange(item["kind"], key, item["title"], "删除", key in overridden))
    recorded = edition.profile.edition_base_version
    log = tuple((c.version, c.date, c.summary) for c in base.profile.changes
                if recorded is None or _version_key(c.version) > _version_key(recorded))
    return Changes(recorded, base.profile.content_version, tuple(found), log)


def accept(root: Path, base: Handbook | None = None) -> str:
    """Record the installed base as reviewed: rewrite the snapshot and ``edition.base_version``; refresh the
    editor schemas. Returns the recorded version."""
    base = base or base_handbook()
    version = base.profile.content_version
    data = {"base_version": version, "wugu": __version__, "items": snapshot(base)}
    write_atomic(root / SNAPSHOT, (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    profile = root / PROFILE
    text = profile.read_text(encoding="utf-8-sig")
    text, n = re.subn(r"^(\s+base_version:\s*).*$", rf'\g<1>"{version}"', text, count=1, flags=re.M)
    if not n:
        text = text.rstrip("\n") + f'\nedition:\n  base_version: "{version}"\n'
    write_atomic(profile, text.encode("utf-8"))
    copy_schemas(root)
    return version


def copy_schemas(root: Path) -> None:
    """Copy the installed JSON Schemas into the edition so editors can complete keys offline."""
    target = root / SCHEMA_COPY
    target.mkdir(parents=True, exist_ok=True)
    for p in schemas_dir().glob("*.schema.json"):
        shutil.copyfile(p, target / p.name)


# ---- wugu init -----------------------------------------------------------------------------------------

def _yaml(data: dict[str, Any], header: str = "") -> str:
    """YAML text written by a real serializer (every value quoted as needed), after ``#`` comment lines."""
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return header + body


@dataclass(frozen=True)
class InitResult:
    """What ``wugu init`` did: the files it made, and the files that were there already and were kept."""

    made: list[Path]
    kept: list[Path]


#: Files ``wugu init`` makes only when they are missing (a folder may already hold its own).
KEEP_IF_PRESENT = ("mkdocs.yml", "README.md", ".github/workflows/wugu.yml", REQUIREMENTS, ".gitignore", f"{LOCAL}/{OVERRIDES}",
                   f"{LOCAL}/README.md")


def init_edition(folder: Path, *, name: str, short_name: str | None, level: str, parent: str | None,
                 address: str | None = None, phone: str | None = None, email: str | None = None,
                 site_url: str | None = None, wugu_source: str | None = None) -> InitResult:
    """Create a new edition project in ``folder`` (which must not hold a handbook yet).

    ``wugu_source``: where the generated CI installs wugu from (``requirements-wugu.txt``, see :mod:`wugu.source`);
    by default the pinned source of the wugu that runs, when it has one.

    Files the folder already has (README, ``.gitignore``, ``mkdocs.yml``, the CI workflow …) are kept as they are;
    only what is missing is created. Option values are written with a YAML serializer, never pasted into text.
    """
    folder = Path(folder)
    if (folder / PROFILE).is_symlink():
        link = folder / PROFILE
        raise WuguError([problem("E521", display_path(link), link=display_path(link), target=os.readlink(link),
                                 what="wugu init 不会通过链接写文件（写到哪里由链接决定）",
                                 fix="删掉这个链接（rm 链接名），或换一个新的空目录")])
    if (folder / PROFILE).exists():
        raise WuguError([problem("E503", str(folder / PROFILE), detail=f"“{folder}”里已经有一本手册（{PROFILE}）",
                                 fix="换一个新的空目录，或直接在这个目录里使用 wugu check / wugu build")])
    if level not in LEVELS:
        raise WuguError([problem("E503", str(folder), detail=f"层级“{level}”不对", fix="--level 只能是 市、县 或 乡镇")])
    if site_url and not re.fullmatch(r"https?://[^\s\"'<>\\]+/", site_url):
        raise WuguError([problem("E503", str(folder), detail=f"网址“{site_url}”不对",
                                 fix="以 http:// 或 https:// 开头，以 / 结尾，例如 https://shouce.qinghe.test/")])
    for option, value in (("--name", name), ("--short-name", short_name), ("--parent", parent),
                          ("--address", address), ("--phone", phone), ("--email", email)):
        if value is not None and (has_control(value) or "\n" in value or not value.strip()):
            raise WuguError([problem("E517", option, option=option)])
    if phone is not None and any(code == "E402" for code, _m, _at in scan_text(phone)):
        raise WuguError([problem("E503", "--phone", detail="--phone 写的像是手机号：办公电话会印在网站和每张表格上",
                                 fix="写单位的座机号码，例如 --phone 0539-1234567")])
    base = base_handbook()
    short_name = short_name or name
    today = _dt.date.today()
    contact = {"address": address, "phone": phone, "email": email}
    profile = {
        "name": name, "short_name": short_name, "level": level, "parent": parent,
        "contact": {k: v for k, v in contact.items() if v},
        "site_url": site_url,
        "content_version": f"{today.year}.1",
        "effective_date": today.isoformat(),
        "changes": [{"version": f"{today.year}.1", "date": today.isoformat(),
                     "summary": [f"建立本地版，基于 wugu 基础版 {base.profile.content_version}。"]}],
        "edition": {"base_version": base.profile.content_version},
    }
    files = {
        PROFILE: _yaml({k: v for k, v in profile.items() if v is not None},
                       f"# yaml-language-server: $schema={SCHEMA_COPY}/profile.schema.json\n"
                       "# 本地版手册的概况：名称会印在网站页眉、每页 PDF 的页眉页脚和表格包封面上。\n"),
        f"{LOCAL}/{OVERRIDES}": _OVERRIDES_TEMPLATE.format(schema=f"../{SCHEMA_COPY}/overrides.schema.json"),
        f"{LOCAL}/README.md": _LOCAL_README,
        "mkdocs.yml": _yaml({"site_name": short_name}, _MKDOCS_HEADER),
        "README.md": _README_TEMPLATE.format(name=_markdown_line(name), version=__version__),
        ".github/workflows/wugu.yml": _CI_TEMPLATE,
        REQUIREMENTS: requirements_text(requirement(wugu_source) if wugu_source else detected()),
        ".gitignore": "build/\n.venv/\n# 填好的表格记录和由它们生成的统计表、PDF：含个人信息，只留在本机，不提交、不发布\n/records/\n",
    }
    made, kept = [], []
    for rel in [*files, *(f"{LOCAL}/{sub}" for sub in ("regulations", "forms", "packs")), SNAPSHOT, SCHEMA_COPY]:
        link = link_on_path(folder / rel, folder)
        if link is not None and not (rel in KEEP_IF_PRESENT and link == folder / rel):
            raise WuguError([problem("E521", display_path(link), link=display_path(link), target=os.readlink(link),
                                     what="wugu init 不会通过链接写文件（写到哪里由链接决定）",
                                     fix="删掉这个链接（rm 链接名），或换一个新的空目录")])
    try:
        for rel, text in files.items():
            path = folder / rel
            if rel in KEEP_IF_PRESENT and os.path.lexists(path):
                kept.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as fd:  # never through a link, never over a file
                fd.write(text)
            made.append(path)
        for sub in ("regulations", "forms", "packs"):
            (folder / LOCAL / sub).mkdir(parents=True, exist_ok=True)
        accept(folder, base)
    except FileExistsError as exc:
        raise WuguError([problem("E522", str(exc.filename or folder),
                                 what=f"“{exc.filename}”已经存在，wugu init 不会覆盖它",
                                 fix="换一个新的空目录，或先把这个文件移走")]) from None
    except OSError as exc:
        raise write_failed(exc, folder) from None
    made += [folder / SNAPSHOT, folder / SCHEMA_COPY]
    assert is_edition(folder)
    return InitResult(made, kept)


def _markdown_line(text: str) -> str:
    from .escape import markdown

    return markdown(text)


_OVERRIDES_TEMPLATE = """# yaml-language-server: $schema={schema}
# 本地对基础版的修改。不需要的部分可以删掉；改完运行 wugu check。
#
# 改写某项制度的某一条（网站上会标明“本地补充”）：
# clauses:
#   - regulation: R10
#     clause: 1
#     text: 本县山区路远，结对志愿者每季度至少走访一次，每次不少于 2 小时……
#     reason: 山区交通不便
#
# 在基础版某一部分后面补充本地规范（序号接着基础版往后编，基础版 48 条时从 49 开始）：
# add_norms:
#   - section: S3
#     id: N49
#     number: 49
#     rule: 汛期不组织孩子到河道、水库附近活动。
#     why: 本县水库多，汛期溺水风险高。
#     regulations: [R07]
#     sources:
#       - kind: handbook
#         title: 本手册拟定
#
# 改写多处引用的事实（名称见基础版 facts.yml 或网站“名词解释”页的“统一的时限和要求”）；
# 改一处，所有引用它的制度、规范、表格和网页都跟着改：
# facts:
#   - name: 走访频次
#     value: 每季度至少入户走访 1 次，每次陪伴不少于 2 小时
#
# 隐藏本地不用的基础版表格和表格包（还在某个表格包里的表格要连同表格包一起隐藏）：
hide_forms: []
hide_packs: []
"""

_LOCAL_README = """# 本地补充

- `overrides.yml`：改写基础版条款、改写多处引用的事实（facts）、补充本地规范、隐藏不用的表格。
- `regulations/`：本地新增的制度（编号接着基础版往后编，例如 R17）。
- `forms/`：本地新增的表格（例如 F12）。
- `packs/`：本地新增的表格包。
- `base-snapshot.json`：wugu 自动生成，记录本地版核对过的基础版内容，不要手工修改。

新增文件的格式和基础版相同，可以照着 wugu 基础版的文件写；改完运行 `wugu check`。
"""

_MKDOCS_HEADER = "# 网站设置。网站名称、页面和样式由 wugu build 根据 wugu.yml 和基础版自动生成，一般不需要修改这里。\n"

_README_TEMPLATE = """# {name} · 志愿服务手册（本地版）

本手册由 wugu（无孤）生成：制度、服务规范和标准表格来自 wugu 基础版，
本地的补充和修改放在 `local/` 目录。

## 常用命令

```bash
wugu check      # 检查；基础版有更新时会提示
wugu build      # 生成网站（build/site/）和全部 PDF 表格（build/site/downloads/）
wugu serve      # 本地预览网站
wugu pdf        # 只生成 PDF
wugu changes    # 查看基础版改了什么；核对后运行 wugu changes --accept 记录
```

## 填好的表格记录

各乡镇报来的记录（JSON、Excel、CSV）放在 `records/` 目录：它在 `.gitignore` 里，不会提交进版本库，
`wugu build` 也不会发布它；记录文件放进 `local/` 或 `site/` 时，`wugu build` 会拒绝生成。

```bash
wugu records template          # 各表格的 Excel 模板（records/templates/）
wugu records check records/东镇/*.xlsx
wugu records stats records/东镇/*.xlsx    # 按乡镇统计（records/stats/ 里的 Excel 和 PDF）
```

## CI 里的 wugu

`.github/workflows/wugu.yml` 在每次提交和合并请求时检查并生成手册。它从 `requirements-wugu.txt` 安装 wugu：
那里固定写着 wugu 仓库的某一个提交（或版本标签、或本仓库里的安装包），不按名字从 PyPI 安装——软件源上的名字
谁都可以抢注。升级 wugu 时改这个文件里的那一行，核对过改动后再提交。

本地版由 wugu {version} 创建。
"""

_CI_TEMPLATE = """name: wugu
on: [push, pull_request]
jobs:
  check-and-build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: 安装中文字体和 PDF 依赖
        run: sudo apt-get update && sudo apt-get install -y fonts-noto-cjk libharfbuzz-subset0
      - name: 安装 wugu（来源固定写在 requirements-wugu.txt）
        # 不按名字从 PyPI 安装 wugu：软件源上的名字谁都可以抢注。requirements-wugu.txt 写明从哪里安装：
        # wugu 仓库的某一个提交或版本标签、带 sha256 的安装包，或本仓库里的文件。升级 wugu 时改那个文件。
        run: |
          if ! grep -qv -e '^[[:space:]]*#' -e '^[[:space:]]*$' requirements-wugu.txt; then
            echo "::error file=requirements-wugu.txt::还没有写从哪里安装 wugu：按这个文件里的说明写一行固定的来源"
            exit 1
          fi
          pip install -r requirements-wugu.txt
      - name: 检查
        run: wugu check --strict --format github
      - name: 生成网站和 PDF
        run: wugu build
      - name: 保存生成的网站（在本次运行的 Artifacts 里下载，解压后双击 index.html）
        uses: actions/upload-artifact@v4
        with:
          name: handbook-site
          path: build/site
"""
