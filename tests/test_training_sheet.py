"""The answer sheet (答题卡) is one sheet of paper for the default 50 questions, whatever the seed: the marking row
(阅卷人 / 红线题 / 结果) stays with the answers, and its tick boxes keep their words (□ 有错, □ 不合格)."""
from __future__ import annotations

import subprocess

from conftest import ROOT, run_wugu


def test_the_answer_sheet_is_one_page_for_every_seed(tmp_path):
    for seed in ("1", "4", "7"):
        out = tmp_path / seed
        result = run_wugu("exam", str(ROOT), "--seed", seed, "--out", str(out))
        assert result.returncode == 0, result.stdout + result.stderr
        sheet = out / "exam-A-sheet.pdf"
        info = subprocess.run(["pdfinfo", str(sheet)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in info, (seed, info)
        text = subprocess.run(["pdftotext", "-layout", str(sheet), "-"], capture_output=True, text=True).stdout
        assert "□ 有错" in text and "□ 不合格" in text, seed
