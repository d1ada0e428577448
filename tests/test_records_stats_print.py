"""The county statistics table (WG-F05) as an office prints it, when the county has many townships.

* townships are listed in the order the records came (the order the office keeps), not by character code;
* the 合计 row never goes to a new page with only one township row above it.

All records are fictional and generated at run time (``records_sample``).
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from records_sample import f04
from test_records_office import records

#: Twenty made-up township names, deliberately not in character-code order.
TOWNSHIPS = ("东镇", "西镇", "南乡", "北乡", "中街道", "甲镇", "乙镇", "丙镇", "丁镇", "戊镇",
             "己镇", "庚镇", "辛镇", "壬镇", "癸镇", "子镇", "丑镇", "寅镇", "卯镇", "辰镇")


def test_many_townships_keep_their_order_and_the_total_keeps_company(tmp_path: Path) -> None:
    batch = [f04(i + 1, township=t, child_no=f"T{i:02d}-00001") for i, t in enumerate(TOWNSHIPS)]
    (tmp_path / "surveys.json").write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    result = records("stats", "surveys.json", "--month", "2026-10", "--out", "stats", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    pdf = tmp_path / "stats" / "WG-F05-stats.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    listed = [m.group(1) for page in pages for m in re.finditer(r"(?m)^\s*(\S+?)\s+\d+＊?\s", page)
              if m.group(1) in TOWNSHIPS]
    assert listed == list(TOWNSHIPS)
    last = next(page for page in pages if "合计" in page)
    above = last.split("合计")[0]
    assert sum(name in above for name in TOWNSHIPS) >= 2  # never the total with a single row
