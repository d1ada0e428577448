"""Click in Chinese: usage errors as one problem line (E528, exit code 2, with how to fix), help texts in Chinese.

Click builds its messages with ``gettext``; while ``wugu`` runs, its modules look them up here instead (anything
not in :data:`MESSAGES` stays as click wrote it). Usage errors are caught in :func:`usage_error_line` and said in
the ``where: error CODE: what — how to fix`` form of every other problem.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator

import click

from .errors import problem

#: Click's English messages (msgids) and their Chinese.
MESSAGES: dict[str, str] = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示这段说明后退出。",
    "Show the version and exit.": "显示 wugu 的版本后退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "deprecated": "已停用",
    "(dynamic)": "（按情况而定）",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看用法。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令“{name}”。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "Option {name!r} does not take a value.": "选项“{name}”后面不用写值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”要写 {nargs} 个值。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围内（{range}）。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是一个目录，这里要写文件。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是一个文件，这里要写目录。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”没有读取权限。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”没有写入权限。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不能执行。",
    "Could not open file {filename!r}: {message}": "打不开文件“{filename}”：{message}",
    "Invalid start character for option ({option})": "选项的开头字符不对（{option}）",
    "directory": "目录",
    "file": "文件",
    "path": "路径",
    "Aborted!": "已中止。",
    "Choose from:\n\t{choices}": "只能是：{choices}",
    "unknown error": "未知的错误",
}
#: Click's messages with a singular and a plural (Chinese has one form).
PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多写了参数（{args}）",
    "Did you mean {possibility}?": "你是不是想写 {possibility}？",
    "Option {name!r} requires an argument.": "选项“{name}”后面要写一个值。",
    "{value!r} is not {choice}.": "只能是 {choice}，不能写“{value}”。",
    "{value!r} is not one of {choices}.": "只能是 {choices} 之一，不能写“{value}”。",
    "Takes {nargs} values but 1 was given.": "要写 {nargs} 个值，只写了 1 个。",
}
_NUMBER = {"integer range": "整数", "float range": "数字", "integer": "整数", "float": "数字"}
#: Upper-case metavars click prints in help and usage lines, in Chinese.
_METAVARS = [("INTEGER RANGE", "整数"), ("FLOAT RANGE", "数字"), ("INTEGER", "整数"), ("FLOAT", "数字"),
             ("DIRECTORY", "目录"), ("PATHS...", "文件..."), ("TEXT", "文字"), ("PATH", "路径"), ("FILE", "文件"), ("COMMAND", "命令"),
             ("[ARGS]...", "[参数]..."), ("[OPTIONS]", "[选项]")]
_METAVAR = re.compile("|".join(re.escape(a) for a, _ in _METAVARS))
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        return PLURALS[singular]
    return singular if n == 1 else plural


@contextmanager
def chinese() -> Iterator[None]:
    """While wugu runs: click's messages in Chinese (its modules' ``_``/``ngettext`` point here)."""
    import importlib

    saved: list[tuple[Any, str, Any]] = []
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        for attr, new in (("_", _gettext), ("ngettext", _ngettext)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, new)
    try:
        yield
    finally:
        for module, attr, old in reversed(saved):
            setattr(module, attr, old)


def metavars(text: str) -> str:
    """Click's upper-case metavars (TEXT, INTEGER, DIRECTORY …) in Chinese."""
    return _METAVAR.sub(lambda m: dict(_METAVARS)[m.group()], text)


class HelpFormatter(click.HelpFormatter):
    """Click's help formatter with Chinese metavars in usage lines and option lists."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, metavars(args), prefix)

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(metavars(a), b) for a, b in rows], col_max, col_spacing)


class Context(click.Context):
    """A click context that formats help with :class:`HelpFormatter`."""

    formatter_class = HelpFormatter


def usage_error_line(exc: click.UsageError) -> str:
    """A usage error as one problem line: ``wugu check: error E528: 命令写法不对：没有选项“--fo”。 — 你是不是想写
    --format？运行“wugu check --help”查看这个命令的用法和全部选项``."""
    ctx = exc.ctx
    where = ctx.command_path if ctx is not None else "wugu"
    what = re.sub(r",?\s*\n\s*", "、", exc.format_message().strip())  # click lists choices one per line: 市、县、乡镇
    what = what.replace("：、", "：")
    for english, chinese_ in _NUMBER.items():
        what = what.replace(f"不是{english}。", f"不是{chinese_}。")
    fix = ""
    if isinstance(exc, click.NoSuchOption) and exc.possibilities:
        what = MESSAGES["No such option {name!r}."].format(name=exc.option_name)
        fix = PLURALS["Did you mean {possibility}?"].format(possibility="、".join(sorted(exc.possibilities)))
    elif isinstance(exc, click.MissingParameter):
        what = metavars(what)
        fix = "把它写上；"
    names = ctx.help_option_names if ctx is not None else []
    help_name = "--help" if "--help" in names or not names else names[0]
    fix += f"运行“{where} {help_name}”查看这个命令的用法和全部选项"
    return problem("E528", where, what=what, fix=fix).format()


def no_args_help(exc: click.UsageError) -> str | None:
    """The help text when a group was called without a command (click 8.2+ raises this as a usage error)."""
    if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
        return exc.ctx.get_help()
    return None
