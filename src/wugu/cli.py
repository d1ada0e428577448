"""The ``wugu`` command: a thin shell over the library."""
from __future__ import annotations

import sys

import click

from . import __version__
from .report import FORMATS
from .validate import check as run_check


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="wugu", message="%(prog)s %(version)s")
def main() -> None:
    """wugu（无孤）：把服务团的制度、规范和表格从 YAML 检查并生成手册网站和可打印的 PDF。"""


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="输出格式：text 给人看，json 给程序读，github 在 GitHub Actions 里标注错误。")
def check(directory: str, fmt: str) -> None:
    """检查手册目录（默认当前目录）里的全部 YAML 文件。"""
    report = run_check(directory)
    out = FORMATS[fmt](report)
    click.echo(out, err=False)
    sys.exit(report.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
