"""Benchmark: `wugu records check` on 10,000 generated child-survey records (WG-F04), side by side with a plain
`jsonschema` loop over the same records and the same record schema.

The records are fictional and generated at run time into a temporary folder (deleted afterwards), never stored:
ID numbers use the non-existent region 999xxx. Goal on a 2-core machine: the whole command under 3 s, and within
1.5 x of the plain loop. The contenders run interleaved (benchlib); a further row shows the library with jsonschema
judging every record, as before the compiled verdict (:mod:`wugu.records.fastschema`) took over for valid ones.

    .venv/bin/python scripts/bench_records.py [--records 10000] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from benchlib import load, side_by_side  # noqa: E402
from records_sample import f04_batch  # noqa: E402
from wugu.records.check import RecordsChecker  # noqa: E402
from wugu.records.schema import record_schema  # noqa: E402
from wugu.validate import load_handbook  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    records = f04_batch(args.records)
    handbook = load_handbook(ROOT)
    form = handbook.form("F04")
    with tempfile.TemporaryDirectory(prefix="wugu-bench-") as tmp:
        path = Path(tmp) / "f04.json"
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        size = path.stat().st_size / 1e6

        def cli() -> None:
            result = subprocess.run([sys.executable, "-m", "wugu", "records", "check", str(path), "--project",
                                     str(ROOT)], capture_output=True, text=True)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

        def library() -> None:
            report = RecordsChecker(handbook).check([(path, path.name)])
            assert report.ok and report.counts["WG-F04"] == len(records)

        def library_jsonschema() -> None:
            """The library with jsonschema on every record (as before the compiled verdict)."""
            checker = RecordsChecker(handbook)
            checker.checker(form).valid = lambda data: False
            report = checker.check([(path, path.name)])
            assert report.ok and report.counts["WG-F04"] == len(records)

        def plain() -> None:
            from jsonschema import Draft202012Validator, FormatChecker

            data = json.loads(path.read_text(encoding="utf-8"))
            validator = Draft202012Validator(record_schema(form), format_checker=FormatChecker())
            errors = [e for r in data for e in validator.iter_errors(r)]
            assert not errors

        best = side_by_side({"startup": lambda: subprocess.run([sys.executable, "-m", "wugu", "--version"],
                                                               capture_output=True),
                             "cli": cli, "library": library, "jsonschema": library_jsonschema, "plain": plain},
                            args.runs)
        startup, t_cli, t_lib, t_plain = best["startup"], best["cli"], best["library"], best["plain"]
    print(f"{len(records)} 份 WG-F04 记录（JSON {size:.1f} MB），各取 {args.runs} 次中最快的一次（交替运行；{load()}）：")
    print(f"  wugu records check（整个命令，含启动和读手册 {startup:.2f} 秒）  {t_cli:.2f} 秒")
    print(f"  wugu 记录检查（库函数：读文件、逐条检查、跨记录规则）            {t_lib:.2f} 秒")
    print(f"  同上，但每条记录都用 jsonschema 判定（不用编译好的判定）          {best['jsonschema']:.2f} 秒")
    print(f"  基线：读文件 + jsonschema 逐条校验（同一个 Schema）              {t_plain:.2f} 秒")
    print(f"  比值：命令/基线 {t_cli / t_plain:.2f}，库函数/基线 {t_lib / t_plain:.2f}"
          f"（目标：命令 < 3 秒，且不超过基线的 1.5 倍）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
