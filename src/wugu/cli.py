"""The ``wugu`` command: a thin shell over the library."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn
from dataclasses import replace

import click

from . import __version__, clizh, escape
from .errors import WuguError
from .report import FORMATS, summary
from .validate import Report
from .validate import check as run_check


class _Command(click.Command):
    """A wugu command: help in Chinese (:mod:`wugu.clizh`)."""

    context_class = clizh.Context


class _Guarded(click.Group):
    """The command group, with a last line of defence: whatever a command did not foresee ends as one Chinese
    problem line (E524, exit code 1), never a traceback. ``WUGU_DEBUG=1`` shows the traceback instead.
    Click's own usage errors (a missing argument, an unknown option, a value not among the choices) are one Chinese
    problem line too (E528, exit code 2), and its help texts are in Chinese."""

    context_class = clizh.Context
    command_class = _Command
    group_class = type  # sub-groups (wugu records) are guarded the same way

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            return self._main(args, prog_name, complete_var, standalone_mode, **extra)
        except BrokenPipeError:
            _stdout_closed()
        finally:  # what is still buffered is written now, not at exit, where a closed pipe could not be caught
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _stdout_closed()
            except (OSError, ValueError):
                pass

    def _main(self, args: Any, prog_name: str | None, complete_var: str | None, standalone_mode: bool,
              **extra: Any) -> Any:
        with clizh.chinese():
            try:
                rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except click.UsageError as exc:
                shown = clizh.no_args_help(exc)
                click.echo(shown if shown is not None else clizh.usage_error_line(exc), err=True)
                sys.exit(exc.exit_code)
            except click.Abort:
                click.echo("已中止。", err=True)
                sys.exit(1)
            except click.ClickException as exc:
                exc.show()
                sys.exit(exc.exit_code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (wugu … | head): not wugu's fault, nothing to say
            _stdout_closed()
        except WuguError as exc:
            _fail(exc)
        except Exception as exc:  # noqa: BLE001 - the point of this class
            if os.environ.get("WUGU_DEBUG"):
                raise
            from .errors import problem

            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            click.echo(problem("E524", "wugu", detail=detail).format(), err=True)
            sys.exit(1)


def _stdout_closed() -> NoReturn:
    """The program reading wugu's output closed it early (``wugu records stats … | head``): end quietly with exit
    code 0, as ``cat`` or ``grep`` do; nothing more is written to the closed pipe (it is pointed at the null device,
    so the flush at exit cannot fail once more). Files the command already wrote stay as they are."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass
    raise SystemExit(0)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="wugu", message="%(prog)s %(version)s",
                      help="显示 wugu 的版本后退出。")
def main() -> None:
    """wugu（无孤）：把服务团的制度、规范和表格从 YAML 检查并生成手册网站和可打印的 PDF。"""


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="输出格式：text 给人看，json 给程序读，github 在 GitHub Actions 里标注错误。")
@click.option("--strict", is_flag=True, help="提醒（warning）也算错误，退出码 1。CI 里用它。")
def check(directory: str, fmt: str, strict: bool) -> None:
    """检查手册目录（默认当前目录）里的全部 YAML 文件。"""
    report = run_check(directory)
    report = report.strict() if strict else report
    out = FORMATS[fmt](report)
    click.echo(out, err=False)
    sys.exit(report.exit_code)


def _checked(directory: str, quiet: bool = False, strict: bool = False, publish: bool = False) -> Report:
    """Run the check first; on any problem print the problem lines and exit (1 content, 2 usage).

    ``strict``: warnings count as errors. ``publish``: placeholder text (W303) stops the build (``--draft`` lifts it).
    """
    report = run_check(directory)
    if strict:
        report = report.strict()
    elif publish and report.placeholders:
        report = replace(report, problems=report.problems + [replace(w, strict=True) for w in report.placeholders],
                         warnings=[w for w in report.warnings if w.code != "W303"])
    if report.problems or report.handbook is None:
        click.echo(FORMATS["text"](report), err=True)
        if publish and any(p.code == "W303" for p in report.problems):
            click.echo("有占位文字，不生成（以免印到网页和 PDF 上）。只是自己预览时可以加 --draft。", err=True)
        sys.exit(report.exit_code or 1)
    for w in report.warnings:
        click.echo(w.format(), err=True)
    if not quiet:
        click.echo(summary(report))
    return report


def _say_source(folder: Path) -> None:
    """Say where the edition's CI installs wugu from, or that it still has to be written."""
    from .source import REQUIREMENTS

    try:
        lines = [x for x in (folder / REQUIREMENTS).read_text(encoding="utf-8").splitlines()
                 if x.strip() and not x.lstrip().startswith("#")]
    except OSError:
        return
    if lines:
        click.echo(f"CI 从固定的来源安装 wugu（{REQUIREMENTS}）：{escape.terminal(lines[0])}")
    else:
        click.echo(f"注意：没有找到可以固定的 wugu 来源，CI 会停在“安装 wugu”一步：在 {REQUIREMENTS} 里写一行"
                   "（例如 wugu @ git+https://…/wugu@<40 位提交号>），或重新运行 wugu init 时加 --wugu-source。", err=True)


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
@click.option("--wugu-source", metavar="来源",
              help="CI 从哪里安装 wugu（写进 requirements-wugu.txt）：wugu 仓库某个提交的地址，例如 "
                   "git+https://github.com/某组织/wugu@<40 位提交号>，或本仓库里安装包的相对路径。"
                   "不写时用正在运行的 wugu 的来源（能固定时）。")
def init(directory: str, name: str, short_name: str | None, level: str, parent: str | None, address: str | None,
         phone: str | None, email: str | None, site_url: str | None, wugu_source: str | None) -> None:
    """新建一本地方版手册：沿用基础版的制度、规范和表格，换成本地的名称，另加本地补充。"""
    from pathlib import Path

    from .edition import init_edition

    try:
        result = init_edition(Path(directory), name=name, short_name=short_name, level=level, parent=parent,
                              address=address, phone=phone, email=email, site_url=site_url,
                              wugu_source=wugu_source)
    except WuguError as exc:
        _fail(exc)
    click.echo(f"已在“{directory}”新建本地版手册（{len(result.made)} 个文件）。")
    _say_source(Path(directory))
    for path in result.kept:
        click.echo(f"  保留了已有的 {escape.terminal(path)}（没有改动；需要时参照 wugu 的模板自己补充）")
    click.echo("下一步：")
    click.echo(f"  cd {directory}")
    click.echo("  wugu build      # 检查并生成网站和 PDF")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--accept", is_flag=True, help="核对完毕：把现在安装的基础版记录为本地版的基础。")
def changes(directory: str, accept: bool) -> None:
    """地方版：列出基础版自上次记录以来改了什么。"""
    from .edition import accept as accept_base
    from .project import is_edition

    report = _checked(directory, quiet=True)
    if not is_edition(report.root):
        click.echo("这里是基础版手册，不是地方版：wugu changes 只用于 wugu init 建立的地方版。", err=True)
        sys.exit(2)
    found = report.base_changes
    if not found.any:
        click.echo(f"基础版没有新的改动（本地版记录的基础版是 {found.installed_version}）。")
    else:
        click.echo(f"基础版：本地版记录的是 {found.recorded_version or '（未记录）'}，现在安装的是 {found.installed_version}。")
        for version, date, lines in found.log:
            click.echo(f"  {version}（{date}）：" + "；".join(lines))
        for c in found.items:
            mark = "  ← 本地改写过，请复核" if c.overridden else ""
            click.echo(f"  [{c.what}] {c.kind} {c.code}：{c.title}{mark}")
    if accept:
        version = accept_base(report.root)
        click.echo(f"已记录：本地版现在基于基础版 {version}。")



@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--out", "-o", type=click.Path(file_okay=False), help="输出目录，默认是手册目录下的 build/site。")
@click.option("--no-pdf", is_flag=True, help="只生成网站，不生成 PDF（表格页的下载链接会打不开）。")
@click.option("--editions", type=click.Path(), metavar="目录或清单",
              help="一次生成许多地方版的 PDF：一个放着各地方版目录的目录，或每行写一个地方版目录的清单文件；"
                   "输出默认在它旁边的 build/editions/地方版目录名/。")
@click.option("--draft", is_flag=True, help="草稿：内容里还有占位文字（示例、待填、0000000……）也生成，只供自己预览。")
@click.option("--strict", is_flag=True, help="提醒（warning）也算错误，不生成。")
def build(directory: str, out: str | None, no_pdf: bool, editions: str | None, draft: bool, strict: bool) -> None:
    """先检查，再生成手册网站和全部 PDF 表格（默认放在 build/site）。"""
    from pathlib import Path

    from .build import build_project

    if editions is not None:
        _build_editions(editions, out, draft=draft, strict=strict)
        return

    report = _checked(directory, strict=strict, publish=not draft)
    handbook = _fitting_questions(report, "网站的自测题")
    try:
        result = build_project(report.root, handbook, Path(out) if out else None, pdf=not no_pdf,
                               echo=click.echo)
    except WuguError as exc:
        _fail(exc)
    click.echo(f"完成：用浏览器打开 {result.out_dir / 'index.html'}（整个目录可以复制到 U 盘离线使用）")


def _build_editions(source: str, out: str | None, draft: bool = False, strict: bool = False) -> None:
    """``wugu build --editions``: every edition's PDFs; failed editions named at the end (exit 1). Each edition is
    checked as ``wugu build`` checks one: placeholders stop it unless ``--draft``; ``--strict``: any warning."""
    from .editions import build_editions
    from .errors import problem

    try:
        result = build_editions(Path(source), Path(out) if out else None, echo=click.echo, draft=draft, strict=strict)
    except WuguError as exc:
        _fail(exc)
    failed = result.failed
    for o in failed:
        for p in o.problems:
            click.echo(p.format(), err=True)
        kept = "，上一次生成的 PDF 原样保留" if o.kept_previous else ""
        if o.error is not None:
            click.echo(problem("E414", o.source.where, edition=o.source.name, detail=o.error, kept=kept).format(),
                       err=True)
        elif not any(p.code == "E411" for p in o.problems):  # a bad line of a list names the edition itself
            click.echo(problem("E413", o.source.where, edition=o.source.name, kept=kept).format(), err=True)
    reused = sum(o.reused for o in result.outcomes)
    click.echo(f"完成：{len(result.outcomes) - len(failed)} 个地方版，{result.files} 个 PDF 在 {result.out_dir}"
               f"（用时 {result.seconds:.1f} 秒；共用排版 {result.groups} 组，单独生成 {result.alone} 个，"
               f"沿用上次的 {reused} 个文件）")
    if failed:
        names = "、".join(o.source.name for o in failed[:10]) + ("……" if len(failed) > 10 else "")
        click.echo(problem("E415", str(result.out_dir), failed=len(failed), total=len(result.outcomes),
                           names=names).format(), err=True)
        sys.exit(1)


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--out", "-o", type=click.Path(file_okay=False), help="输出目录，默认是手册目录下的 build/pdf。")
@click.option("--no-cache", is_flag=True, help="不用上次的结果，全部重新生成。")
@click.option("--draft", is_flag=True, help="草稿：内容里还有占位文字（示例、待填、0000000……）也生成，只供自己预览。")
def pdf(directory: str, out: str | None, no_cache: bool, draft: bool) -> None:
    """先检查，再把每张表格、每个表格包生成可打印的 A4 PDF（默认放在 build/pdf）。"""
    import time
    from pathlib import Path

    from .output import atomic_dir, check_output_dir
    from .paths import pdf_cache
    from .render.pdf import MARKER, build_pdfs

    report = _checked(directory, publish=not draft)
    target = Path(out) if out else report.root / "build" / "pdf"
    started = time.perf_counter()
    try:
        check_output_dir(report.root, target, MARKER, "build/pdf")
        with atomic_dir(target, MARKER, "wugu pdf 生成的 PDF。每次会整个替换这个目录，请不要在里面放别的文件。") as tmp:
            made = build_pdfs(report.handbook, tmp, cache_dir=None if no_cache else pdf_cache(report.root),
                              progress=click.echo)
    except WuguError as exc:
        _fail(exc)
    click.echo(f"完成：{len(made)} 个 PDF 在 {target}（用时 {time.perf_counter() - started:.1f} 秒）")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--dev-addr", "-a", default="127.0.0.1:8000", show_default=True, metavar="地址:端口",
              help="预览网址的地址和端口。默认只有本机能打开；写 0.0.0.0 或本机的局域网地址时，同一网络里的其他人也能打开（会有提醒）。")
@click.option("--pdf", is_flag=True, help="预览时也生成 PDF（慢一些）。")
@click.option("--open", "open_browser", is_flag=True, help="自动打开浏览器。")
@click.option("--full-rebuild", "full", is_flag=True,
              help="每次修改都重新检查全部文件、重新生成整个网站（旧的做法，慢一些；用来对照）。")
def serve(directory: str, dev_addr: str, pdf: bool, open_browser: bool, full: bool) -> None:
    """本地预览手册网站；改了 YAML 或页面会自动更新受影响的页面并刷新浏览器。"""
    from .serve import exposure_warning, serve_project
    from .errors import problem

    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit():
        _fail(WuguError([problem("E503", "--dev-addr", detail=f"预览地址“{dev_addr}”写法不对",
                                 fix="写成 地址:端口，例如 127.0.0.1:8000")]))
    if (warning := exposure_warning(host)) is not None:
        click.echo(warning, err=True)
    try:
        serve_project(directory, host, int(port), pdf=pdf, echo=click.echo, open_browser=open_browser, full=full)
    except WuguError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(WuguError([problem("E503", dev_addr, detail=f"不能在 {dev_addr} 开始预览：{exc.strerror or exc}",
                                 fix="端口可能被占用：换一个，例如 wugu serve -a 127.0.0.1:8001")]))

@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--seed", type=click.IntRange(0, 10**9), help="随机数种子：种子、题数、版本和考试时间都相同，生成的试卷就一模一样（不写就随机选一个并打印出来）。")
@click.option("--count", default=50, show_default=True, type=click.IntRange(1, 500), help="每份试卷的题数：10、20、25、50 或 100（满分 100 分，每题的分数是整数）。")
@click.option("--versions", default="A", show_default=True, help="试卷的版本，用英文逗号隔开，例如 A,B：题目相同，题序和选项顺序不同。")
@click.option("--minutes", default=60, show_default=True, type=click.IntRange(10, 300), help="考试时间（分钟），印在试卷上。")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="输出目录，默认是手册目录下的 build/exam（不会放进网站）。")
def exam(directory: str, seed: int | None, count: int, versions: str, minutes: int, out: str | None) -> None:
    """从题库出考试试卷：每个版本一份试卷、一张答题卡、一份答案与解析（A4 PDF）。"""
    import secrets
    from pathlib import Path

    from .exam import choose, paper, parse_versions, remake_command
    from .output import atomic_dir, check_output_dir
    from .render.exam import MARKER, ExamRenderer
    from .validate.siteconfig import project_docs

    report = _checked(directory)
    root = report.root
    target = Path(out) if out else root / "build" / "exam"
    try:
        names = parse_versions(versions)
        if seed is None:
            seed = secrets.randbelow(10**6)
        handbook = _fitting_questions(report, "试卷")
        questions = choose(handbook, count, seed)
        papers = [paper(handbook, questions, seed, v, minutes) for v in names]
        check_output_dir(root, target, MARKER, "build/exam",
                         keep_apart=[root / "build" / "site", root / "site", project_docs(root)])
        _not_in_site(target)
        with atomic_dir(target, MARKER, "wugu exam 生成的试卷和答案。每次会整个替换这个目录；试卷和答案不要放到网站上。") as tmp:
            made = ExamRenderer(report.handbook).write(papers, tmp, progress=click.echo)
    except WuguError as exc:
        _fail(exc)
    click.echo(f"完成：{len(names)} 个版本、{len(made)} 个 PDF 在 {target}（随机数种子 {seed}，"
               f"用 {remake_command(seed, count, names, minutes)} 可以重新生成同样的试卷）。答案与解析考前保密，不要放到网站或聊天群里。")


def _fitting_questions(report: Report, where: str):
    """The handbook without the base questions that no longer fit this edition (W353/W355), said once."""
    from .validate.questions import UNFIT, fitting

    handbook, left = fitting(report.handbook, report.warnings)
    if left:
        click.echo(f"注意：有 {left} 道基础题考的条文或用到的事实已被本地方版改过（上面的 {'/'.join(UNFIT)} 提醒），"
                   f"这次不放进{where}。逐题对照本地条文复核：不适用的写进 local/overrides.yml 的 hide_questions，"
                   "需要时在 local/questions/ 里另写一道本地的题（见 README“地方版”）。")
    return handbook


def _not_in_site(target) -> None:
    """Exam papers never go into a built website (a folder wugu build made, or one inside it)."""
    from .build import MARKER as SITE_MARKER
    from .errors import problem

    here = target.resolve()
    for folder in (here, *here.parents):
        if (folder / SITE_MARKER).is_file() or (folder / "sitemap.xml").is_file() or (folder / "search" / "search_index.json").is_file():
            raise WuguError([problem("E643", str(target), folder=str(target),
                                     what=f"在网站目录 {folder} 里，试卷和答案会被发布出去",
                                     fix="换一个网站以外的目录，例如 --out build/exam")])


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--export", "fmt", required=True, type=click.Choice(["text", "xlsx", "gift"]),
              help="text = 考试和问卷工具能导入的文字（题干 / A. B. C. D. / 答案： / 解析：）；xlsx = 表格；gift = Moodle。")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="输出文件，默认是 build/题库.txt（.xlsx、.gift.txt）。")
def questions(directory: str, fmt: str, out: str | None) -> None:
    """把培训题库导出给常用的考试工具：文字、Excel 表格或 Moodle GIFT。"""
    from pathlib import Path

    from .output import write_atomic
    from .render.bank_export import FORMATS, export, is_export
    from .validate.siteconfig import project_docs

    report = _checked(directory, quiet=True)
    target = Path(out) if out else report.root / "build" / f"题库.{FORMATS[fmt]}"
    if not report.handbook.questions:
        click.echo("这本手册还没有培训题库（questions/ 目录里没有试题）。", err=True)
        sys.exit(1)
    try:
        _not_in_site(target.parent)
        write_atomic(target, export(report.handbook, fmt), root=report.root, example=f"build/题库.{FORMATS[fmt]}",
                     keep_apart=[project_docs(report.root)], replaceable=is_export)
    except WuguError as exc:
        _fail(exc)
    click.echo(f"完成：{len(report.handbook.questions)} 道题已导出到 {target}")


@main.command()
@click.argument("ids", nargs=-1, metavar="[题号]...")
@click.option("--all", "all_", is_flag=True, help="记录全部需要复核的题（没有复核记录、或考的规范条款改过的）。")
@click.option("--dir", "directory", default=".", type=click.Path(file_okay=False), show_default=True,
              help="手册目录。")
def reviewed(ids: tuple[str, ...], all_: bool, directory: str) -> None:
    """试题复核完毕：记下它考的规范、条款现在的文字（之后这些文字一改，wugu check 就会提醒复核）。"""
    from .errors import problem
    from .review import stamp

    if not ids and not all_:
        _fail(WuguError([problem("E503", "wugu reviewed", detail="没有写要记录复核的题号",
                                 fix="写出题号，例如 wugu reviewed Q101 Q102；或者 wugu reviewed --all")]))
    report = _checked(directory, quiet=True)
    try:
        done = stamp(report.root, report.review_handbook or report.handbook, list(ids) or None)
    except WuguError as exc:
        _fail(exc)
    for s in done:
        changed = "、".join(k for k in s.now if s.was.get(k) != s.now[k]) or "无改动"
        click.echo(f"{s.path}:{s.line}: 已记录 {s.id} 的复核（{changed}）")
    click.echo(f"完成：记录了 {len(done)} 道题的复核。" if done else "没有需要记录复核的题。")




# ---- wugu records …: filled records (the forms kit) ---------------------------------------------------------------

_PROJECT = click.option("--project", "-p", type=click.Path(file_okay=False),
                        help="手册目录（用它的表格定义）；默认是当前目录，不在手册目录里时用 wugu 自带的基础版。")


def _records_handbook(project: str | None) -> Any:
    """The handbook whose forms the records belong to: the project's, or the installed base."""
    from .errors import problem
    from .project import PROFILE
    from .resources import base_dir

    base = False
    if project is None:
        here = Path(".").resolve()
        if not any((p / PROFILE).is_file() for p in (here, *here.parents)):
            project, base = str(base_dir()), True
    from .records.forms import load_forms

    handbook, problems = load_forms(project or ".")
    if base and handbook is not None:  # said, so that a county's clerk notices a base form is used, not the county's
        click.echo(f"提示：当前目录不在手册目录里，按 wugu 自带的基础版手册（{handbook.profile.name}）的表格处理；"
                   "地方版请在地方版手册目录里运行，或加 --project 手册目录", err=True)
    if handbook is None:
        if not any(p.is_usage for p in problems):
            problems.insert(0, problem("E503", project or ".", detail="手册的表格定义有错误，不能按它检查记录",
                                       fix="先运行 wugu check 修好下面的问题"))
        _fail(WuguError(problems))
    return handbook


@main.group()
def records() -> None:
    """填好的表格记录：检查（JSON、Excel、CSV）、Excel 模板、统计、打印。记录不会发布到网站。"""


@records.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_PROJECT
@click.option("--form", "form_code", metavar="代码", help="CSV 第一行没有写表格代码时，指明是哪张表格，例如 WG-F04。")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="输出格式：text 给人看，json 给程序读，github 在 GitHub Actions 里标注。")
def records_check(paths: tuple[str, ...], project: str | None, form_code: str | None, fmt: str) -> None:
    """检查填好的记录文件（.json 一份、多份或每行一份，.xlsx 模板，.csv UTF-8 或 GBK）；写文件夹时检查其中全部记录文件。"""
    from .records.check import RecordsChecker
    from .records.report import FORMATS as RECORD_FORMATS

    from .records.files import expand_paths

    handbook = _records_handbook(project)
    report = RecordsChecker(handbook).check(expand_paths(paths), form_code)
    click.echo(RECORD_FORMATS[fmt](report))
    sys.exit(report.exit_code)


def _forms(handbook: Any, codes: tuple[str, ...]) -> list[Any]:
    from .errors import problem

    by_code = {f.code: f for f in handbook.forms} | {f.id: f for f in handbook.forms}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        _fail(WuguError([problem("E503", c, detail=f"没有代码为“{c}”的表格",
                                 fix="已有的表格：" + "、".join(f.code for f in handbook.forms)) for c in unknown]))
    return [by_code[c] for c in codes] if codes else list(handbook.forms)


@records.command("template")
@click.argument("codes", nargs=-1, metavar="[表格代码…]")
@_PROJECT
@click.option("--out", "-o", type=click.Path(file_okay=False), default="records/templates", show_default=True,
              help="模板放在哪个目录。")
@click.option("--force", is_flag=True, help="输出目录里同名的 Excel 文件已经填了记录时也替换它（默认不覆盖，报错停下）。")
def records_template(codes: tuple[str, ...], project: str | None, out: str, force: bool) -> None:
    """生成给办公室填写的 Excel 模板（默认全部表格；也可写 WG-F04 这样的代码）。

    目录里已有的同名空白模板直接换成新的；已经填了记录的不覆盖（除非加 --force）。"""
    from .records.files import check_out_dir, private_file, refuse_overwrite
    from .records.read import holds_records
    from .records.xlsx import write_workbook

    handbook = _records_handbook(project)
    try:
        target = check_out_dir(Path(out))
        forms = _forms(handbook, codes)
        if not force:
            refuse_overwrite([p for p in (target / f"{f.code}.xlsx" for f in forms)
                              if p.is_file() and not p.is_symlink() and holds_records(p)], target,
                             " Excel 文件且已填了记录")
    except WuguError as exc:
        _fail(exc)
    for form in forms:
        path = write_workbook(form, private_file(target / f"{form.code}.xlsx"))
        click.echo(f"已生成 {path}")


def _checked_records(project: str | None, paths: tuple[str, ...], out: str, refused: str) -> tuple[Any, Path, Any]:
    """What a records command that writes files starts with: the handbook, the output folder (checked) and the
    records, checked. On a problem in the records it prints them, says what was ``refused`` and exits."""
    from .records.check import RecordsChecker
    from .records.files import check_out_dir
    from .records.report import FORMATS as RECORD_FORMATS

    handbook = _records_handbook(project)
    try:
        target = check_out_dir(Path(out))
    except WuguError as exc:
        _fail(exc)
    from .records.files import expand_paths

    report = RecordsChecker(handbook).check(expand_paths(paths))
    if not report.ok:
        click.echo(RECORD_FORMATS["text"](report), err=True)
        click.echo(f"记录有问题，{refused}：先改好上面的问题。", err=True)
        sys.exit(report.exit_code)
    for warning in report.warnings:  # W376: a character the PDF will print as a box (the field is named)
        click.echo(warning.format(), err=True)
    return handbook, target, report


@records.command("stats")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_PROJECT
@click.option("--month", help="统计月份，例如 2026-11 或“2026 年 11 月”；默认是上个月（统计截至上月末）。")
@click.option("--out", "-o", type=click.Path(file_okay=False), default="records/stats", show_default=True,
              help="统计表（Excel 和 PDF）放在哪个目录。")
@click.option("--no-pdf", is_flag=True, help="只生成 Excel，不生成 PDF。")
@click.option("--force", is_flag=True, help="输出目录里已有同名的统计表时替换它们（默认不覆盖，报错停下）。")
def records_stats(paths: tuple[str, ...], project: str | None, month: str | None, out: str,
                  no_pdf: bool, force: bool) -> None:
    """由孤困儿童调查表（WG-F04，可带结对表 WG-F06）记录按乡镇统计，或把各乡镇报来的统计表（WG-F05）汇总成全县的。"""
    from .errors import problem
    from .records.files import private_file, refuse_overwrite
    from .records.stats import build_stats, month_end, still_to_fill
    from .records.xlsx import write_workbook

    handbook, target, report = _checked_records(project, paths, out, "没有统计")
    try:
        month_date = month_end(month) if month else None
    except ValueError:
        _fail(WuguError([problem("E744", "--month", what=f"统计月份“{month}”写法不对",
                                 fix="写成 2026-11 或“2026 年 11 月”")]))
    try:
        stats = build_stats(handbook, report.records, month_date)
    except WuguError as exc:
        _fail(exc)
    f05 = handbook.form("F05")
    if not force:
        try:
            refuse_overwrite([target / f"{f05.code}-stats.{kind}" for kind in ("xlsx", *(() if no_pdf else ("pdf",)))],
                             target, "统计表")
        except WuguError as exc:
            _fail(exc)
    xlsx = write_workbook(f05, private_file(target / f"{f05.code}-stats.xlsx"), [stats.record],
                          small_below=stats.small_below)
    click.echo(f"已生成 {xlsx}")
    if not no_pdf:
        from .records.pdf import render_records

        for path in render_records(handbook, [(stats.display_record(), f05)], target, combined=False,
                                   name=f"{f05.code}-stats"):
            click.echo(f"已生成 {path}")
    for line in [*report.notices, *stats.summary_lines()]:
        click.echo(line)
    todo = still_to_fill(f05, stats.record)
    if todo:
        click.echo(todo)


@records.command("pdf")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_PROJECT
@click.option("--out", "-o", type=click.Path(file_okay=False), default="records/pdf", show_default=True,
              help="PDF 放在哪个目录。")
@click.option("--combined", is_flag=True, help="全部记录合成一个 PDF（一个来源文件时叫“东镇-合并.pdf”，几个来源文件时叫 records.pdf），而不是每份记录一个。")
@click.option("--force", is_flag=True, help="输出目录里已有同名的 PDF 时替换它们（默认不覆盖，报错停下）。")
def records_pdf(paths: tuple[str, ...], project: str | None, out: str, combined: bool, force: bool) -> None:
    """把填好的记录印在和空白表格一样的 A4 版面上（标“内部资料 注意保密”），每份一个 PDF 或合成一个。

    每份记录的 PDF 以来源文件名、表格代码和它在文件里的序号命名（如 东镇-WG-F04-0003.pdf）。"""
    from .records.pdf import combined_name, pdf_name, render_records

    handbook, target, report = _checked_records(project, paths, out, "没有生成 PDF")
    for line in report.notices:
        click.echo(line, err=True)
    try:
        sources = {r.file for r, _ in report.records}
        made = render_records(handbook, [(r.data, f) for r, f in report.records], target, combined=combined,
                              names=[pdf_name(r.file, f.code, r.number) for r, f in report.records], force=force,
                              name=combined_name(next(iter(sources))) if len(sources) == 1 else "records")
    except WuguError as exc:
        _fail(exc)
    click.echo(f"已生成 {len(made)} 个 PDF 在 {target}（只有本人可读；用完按保存期限删除）")


if __name__ == "__main__":  # pragma: no cover
    main()
