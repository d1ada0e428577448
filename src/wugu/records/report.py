"""Printing a records check: one line per problem for people, JSON for programs, annotations for GitHub Actions."""
from __future__ import annotations

import json

from ..escape import github_message, github_property, terminal
from .check import RecordsReport


def summary(report: RecordsReport) -> str:
    """The closing line."""
    total = sum(report.counts.values())
    forms = "，".join(f"{code} {n} 份" for code, n in sorted(report.counts.items()))
    warned = f"；另有 {len(report.warnings)} 个提醒（warning），请按提示核对" if report.warnings else ""
    if report.ok:
        return (f"记录检查通过：{report.files} 个文件，{total} 份记录（{forms or '无'}），用时 {report.seconds:.2f} 秒"
                + warned)
    return (f"发现 {report.count} 个问题（{report.files} 个文件，{total} 份记录）。"
            "请按每行“—”后面的提示修改；消息里不显示敏感内容，号码只显示首尾几位。")


def as_text(report: RecordsReport) -> str:
    """One line per problem, then notices and the summary."""
    return "\n".join(terminal(line) for line in [*(p.format() for p in (*report.problems, *report.warnings)),
                                                   *report.notices, summary(report)])


def as_json(report: RecordsReport) -> str:
    """Every problem with its code, file, position, message and fix, plus counts."""
    return json.dumps({
        "ok": report.ok,
        "files": report.files,
        "counts": report.counts,
        "problems": [{"code": p.code, "file": p.path, "where": getattr(p, "where", ""), "message": p.message,
                      "fix": p.fix} for p in report.problems],
        "warnings": [{"code": p.code, "file": p.path, "where": getattr(p, "where", ""), "message": p.message,
                      "fix": p.fix} for p in report.warnings],
        "count": report.count,
        "not_listed": report.hidden,
        "notices": report.notices,
        "summary": summary(report),
    }, ensure_ascii=False, indent=2)


def as_github(report: RecordsReport) -> str:
    """GitHub Actions workflow commands: one ``::error`` per problem, the position in the title."""
    lines = []
    for p in (*report.problems, *report.warnings):
        where = getattr(p, "where", "")
        lines.append(f"::{p.severity} file={github_property(p.path)},title={github_property(f'wugu {p.code} {where}')}::"
                     f"{github_message(p.message + ' — ' + p.fix)}")
    lines += [f"::notice title=wugu::{github_message(n)}" for n in report.notices]
    lines.append(terminal(summary(report)))
    return "\n".join(lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
