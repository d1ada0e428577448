"""Issue 9, second review: the numbers on the emergency card and the complaints guide are facts an edition sets
once (the office phone in wugu.yml, the others in local/overrides.yml), printed as a line to write on while unset;
consent is always the guardian's; a guide's 依据 line reads as one list."""
from __future__ import annotations

import html
import random
import re
from pathlib import Path

import yaml
from conftest import ROOT

#: Made-up landline numbers (area code 0001 does not exist; not a run of zeros, so not taken for a placeholder).
OFFICE, SUPERVISOR, PROTECTION, TOWNSHIP = "0001-2345670", "0001-2345671", "0001-2345672", "0001-2345673"
LINE = "＿＿＿＿＿＿＿＿"


def _text(page: Path) -> str:
    """The visible text of a built page, whitespace removed."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", "", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", body)))


def _edition(wugu, tmp_path: Path, overrides: str, phone: str | None = OFFICE) -> Path:
    folder = tmp_path / "county"
    args = ["init", str(folder), "--name", "青禾县手牵手孤困儿童心理辅导志愿服务团", "--level", "县"]
    made = wugu(*args, *(("--phone", phone) if phone else ()))
    assert made.returncode == 0, made.stdout + made.stderr
    (folder / "local" / "overrides.yml").write_text(overrides, encoding="utf-8")
    return folder


PHONES = f"""\
facts:
  - name: 儿童督导员电话
    value: {SUPERVISOR}
  - name: 未保机构电话
    value: {PROTECTION}
  - name: 乡镇团电话
    value: {TOWNSHIP}
"""


def test_an_edition_prints_its_own_numbers(wugu, tmp_path, base_site):
    """The base card and complaints guide print lines to write on; an edition that sets the numbers once gets them
    on the card, the complaints guide and the home page, and no line is left where a number is known."""
    base = base_site[0]
    card, complaints = _text(base / "guides" / "emergency.html"), _text(base / "guides" / "child-complaints.html")
    for label in ("乡镇儿童督导员", "县级未成年人救助保护机构", "乡镇团负责人"):
        assert re.search(label + r"[^＿]{0,30}电话" + LINE, card), label
    assert "本团办公室的电话" + LINE in complaints
    assert "首页写着" not in complaints  # the base home page has no number to point at

    edition = _edition(wugu, tmp_path, PHONES)
    built = wugu("build", "--no-pdf", cwd=edition, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    site = edition / "build" / "site"
    card, complaints = _text(site / "guides" / "emergency.html"), _text(site / "guides" / "child-complaints.html")
    for label, number in (("乡镇儿童督导员", SUPERVISOR), ("县级未成年人救助保护机构", PROTECTION),
                          ("乡镇团负责人", TOWNSHIP)):
        assert re.search(label + r"[^＿]{0,30}电话" + number, card), label
    assert LINE not in card
    assert "本团办公室的电话" + OFFICE in complaints
    assert OFFICE in _text(site / "index.html")  # the home page's 联系我们 says the same number


def test_the_office_phone_is_set_in_wugu_yml_only(wugu, tmp_path):
    edition = _edition(wugu, tmp_path, f"facts:\n  - name: 办公电话\n    value: {OFFICE}\n", phone=None)
    result = wugu("check", cwd=edition)
    assert result.returncode == 1
    assert re.search(r"local/overrides\.yml:2:\d+: error E320", result.stdout), result.stdout


def test_a_phone_fact_holds_a_phone_number(wugu, tmp_path):
    edition = _edition(wugu, tmp_path, "facts:\n  - name: 儿童督导员电话\n    value: 问乡镇团\n")
    result = wugu("check", cwd=edition)
    assert result.returncode == 1
    assert re.search(r"local/overrides\.yml:3:\d+: error E321", result.stdout), result.stdout
    mobile = "1" + random.choice("3456789") + "".join(random.choices("0123456789", k=9))  # made up at run time
    (edition / "local" / "overrides.yml").write_text(f"facts:\n  - name: 乡镇团电话\n    value: '{mobile}'\n",
                                                     encoding="utf-8")
    result = wugu("check", cwd=edition)
    assert result.returncode == 1
    assert "E402" in result.stdout and mobile not in result.stdout  # a person's mobile: refused, and not echoed


def _published_texts() -> dict[str, str]:
    out = {}
    for pattern in ("regulations/*.yml", "norms/*.yml", "forms/*.yml", "packs/*.yml", "guides/*.yml", "facts.yml",
                    "glossary.yml"):
        for path in sorted(ROOT.glob(pattern)):
            out[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return out


def test_consent_is_the_guardians():
    """A carer (照护人) is told and may be present; consent and the consent signature are the guardian's."""
    wrong = re.compile(r"照护人[^，。；、\n]{0,6}(?:同意|签字同意|勾选)|由照护人和志愿者[^，。；\n]{0,4}签")
    found = [(name, m.group()) for name, text in _published_texts().items() for m in wrong.finditer(text)]
    assert found == []
    f06 = yaml.safe_load((ROOT / "forms" / "F06-pairing.yml").read_text(encoding="utf-8"))
    assert "监护人是否同意" in f06["purpose"]


def test_guide_sources_read_as_one_list(base_site):
    """依据 lists norms by their rule: no full stop before the list's ；."""
    for page in sorted((base_site[0] / "guides").glob("*.html")):
        assert "。；" not in _text(page), page.name
