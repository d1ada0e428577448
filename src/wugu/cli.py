"""The ``wugu`` command: a thin shell over the library."""
from __future__ import annotations

import sys

import click

from . import __version__
from .errors import WuguError
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


def _fail(exc: WuguError) -> None:
    """Print a library error as problem lines and exit with its code (1 content, 2 usage)."""
    for p in exc.problems:
        click.echo(p.format(), err=True)
    sys.exit(exc.exit_code)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="服务团全称，例如：某某县手牵手孤困儿童心理辅导志愿服务团。")
@click.option("--short-name", help="简称，印在页眉页脚上；不写就用全称。")
@click.option("--level", required=True, type=click.Choice(["市", "县", "乡镇"]), help="层级。")
@click.option("--parent", help="上级组织，例如：某某市手牵手服务团。")
@click.option("--address", help="办公地址（公开的）。")
@click.option("--phone", help="办公电话（公开的，不要写个人手机号）。")
@click.option("--email", help="办公邮箱。")
@click.option("--site-url", help="手册网站地址，以 / 结尾；填写后 PDF 表格上会印二维码。")
def init(directory: str, name: str, short_name: str | None, level: str, parent: str | None, address: str | None,
         phone: str | None, email: str | None, site_url: str | None) -> None:
    """新建一本地方版手册：沿用基础版的制度、规范和表格，换成本地的名称，另加本地补充。"""
    from pathlib import Path

    from .edition import init_edition

    try:
        made = init_edition(Path(directory), name=name, short_name=short_name, level=level, parent=parent,
                            address=address, phone=phone, email=email, site_url=site_url)
    except WuguError as exc:
        _fail(exc)
    click.echo(f"已在“{directory}”新建本地版手册（{len(made)} 个文件）。下一步：")
    click.echo(f"  cd {directory}")
    click.echo("  wugu build      # 检查并生成网站和 PDF")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--accept", is_flag=True, help="核对完毕：把现在安装的基础版记录为本地版的基础。")
def changes(directory: str, accept: bool) -> None:
    """地方版：列出基础版自上次记录以来改了什么。"""
    from .edition import accept as accept_base
    from .edition import changes as base_changes
    from .project import is_edition

    report = run_check(directory)
    if report.handbook is None:
        click.echo(FORMATS["text"](report))
        sys.exit(report.exit_code)
    if not is_edition(report.root):
        click.echo("这里是基础版手册，不是地方版：wugu changes 只用于 wugu init 建立的地方版。", err=True)
        sys.exit(2)
    found = base_changes(report.root, report.handbook)
    if not found.any:
        click.echo(f"基础版没有新的改动（本地版记录的基础版是 {found.installed_version}）。")
    else:
        click.echo(f"基础版：本地版记录的是 {found.recorded_version or '（未记录）'}，现在安装的是 {found.installed_version}。")
        for version, date, summary in found.log:
            click.echo(f"  {version}（{date}）：" + "；".join(summary))
        for c in found.items:
            mark = "  ← 本地改写过，请复核" if c.overridden else ""
            click.echo(f"  [{c.what}] {c.kind} {c.id}：{c.title}{mark}")
    if accept:
        version = accept_base(report.root)
        click.echo(f"已记录：本地版现在基于基础版 {version}。")


if __name__ == "__main__":  # pragma: no cover
    main()
