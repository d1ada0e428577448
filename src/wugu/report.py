"""Printing a check report: plain text for people, JSON for machines, annotations for GitHub Actions."""
from __future__ import annotations

import json

from .errors import Problem
from .escape import github_message, github_property, terminal
from .validate import Report


def summary(report: Report) -> str:
    """The closing line, e.g. ``检查通过：16 项制度，48 条服务规范，11 张表格，4 个表格包``."""
    if report.exit_code == 2:
        return "没有检查任何文件。"
    warned = (f"另有 {len(report.warnings)} 个提醒（warning），请按提示修改；CI 里用 --strict 时提醒也算错误。"
              if report.warnings else "")
    if report.ok:
        c = report.counts
        return (f"检查通过：{c['regulations']} 项制度，{c['norms']} 条服务规范，{c['forms']} 张表格，"
                f"{c['packs']} 个表格包{_guides(c)}{_bank(c)}（{report.files} 个文件，用时 {report.seconds:.2f} 秒）"
                + (f"。{warned}" if warned else ""))
    files = len({p.path for p in report.problems})
    return f"发现 {len(report.problems)} 个错误，涉及 {files} 个文件。请按上面每行“—”后面的提示修改。{warned}"


def _guides(c: dict[str, int]) -> str:
    """The practice guides' part of the summary, e.g. ``，7 篇实用指南``."""
    return f"，{c['guides']} 篇实用指南" if c.get("guides") else ""


def _bank(c: dict[str, int]) -> str:
    """The question bank's part of the summary, e.g. ``，194 道培训试题（情景题 66 道，考红线的 38 道，考实用指南的 38 道）``."""
    if not c.get("questions"):
        return ""
    guides = f"，考实用指南的 {c['guide_questions']} 道" if c.get("guides") else ""
    return (f"，{c['questions']} 道培训试题（情景题 {c['scenarios']} 道，考红线的 {c['red_line_questions']} 道"
            f"{guides}）")


def as_text(report: Report) -> str:
    """One line per problem, then the summary."""
    lines = [p.format() for p in (*report.problems, *report.warnings)]
    lines += [terminal(n) for n in report.notices]
    lines.append(terminal(summary(report)))
    return "\n".join(lines)


def as_json(report: Report) -> str:
    """Machine-readable: every problem with its code, position, message and fix, plus counts."""
    return json.dumps({
        "ok": report.ok,
        "counts": report.counts,
        "files": report.files,
        "problems": [_as_dict(p) for p in report.problems],
        "warnings": [_as_dict(p) for p in report.warnings],
        "notices": report.notices,
        "summary": summary(report),
    }, ensure_ascii=False, indent=2)


def _as_dict(p: Problem) -> dict[str, object]:
    return {"code": p.code, "severity": p.severity, "path": p.path, "line": p.line, "column": p.col,
            "message": p.message, "fix": p.fix}


def as_github(report: Report) -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…``, ``::warning`` for warnings), then the summary."""
    lines = []
    for p in (*report.problems, *report.warnings):
        loc = f"file={github_property(p.path)}" + (f",line={p.line},col={p.col or 1}" if p.line else "")
        lines.append(f"::{p.severity} {loc},title=wugu {p.code}::{github_message(p.message + ' — ' + p.fix)}")
    lines += [f"::notice title=wugu::{github_message(n)}" for n in report.notices]
    lines.append(terminal(summary(report)))
    return "\n".join(lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
