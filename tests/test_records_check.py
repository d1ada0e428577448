"""`wugu records check` on JSON records through the real CLI; record schemas against the metaschema; China formats.

Every record here is fictional and generated at run time (see ``records_sample``): ID numbers use the
non-existent region 999xxx.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import cnfixture
from records_sample import f04, f06, f07, f08, fake_id
from wugu import cnformats as cn
from wugu.records.schema import record_schema
from wugu.validate import load_handbook

FIXTURES = Path(__file__).parent / "fixtures"
BORN = date(2015, 3, 2)


def _without(record: dict, *keys: str) -> dict:
    return {k: v for k, v in record.items() if k not in keys}


#: case → (records in the file, expected code, expected position after "file:")
BAD_JSON = {
    "unknown-form": ([f04(1, form="WG-F99")], "E711", "记录 1"),
    "no-form": ([_without(f04(1), "form")], "E711", "记录 1"),
    "old-version": ([f04(1, version="2025.1", old_field="x")], "E712", "记录 1"),
    "unknown-field": ([f04(1, nickname="小明")], "E713", "记录 1"),
    "missing-required": ([_without(f04(1), "township")], "E714", "记录 1·所属乡镇（街道）"),
    "empty-multichoice": ([f04(1, categories=[])], "E714", "记录 1·帮扶类别"),
    "wrong-type": ([f04(1, boarding="是的")], "E715", "记录 1·寄宿"),
    "not-a-choice": ([f04(1, sex="未知")], "E716", "记录 1·性别"),
    "not-in-vocab": ([f04(1, categories=["孤儿", "留守"])], "E716", "记录 1·帮扶类别"),
    "bad-date": ([f04(1, survey_date="2026-02-30")], "E717", "记录 1·调查日期"),
    "id-check-digit": ([f04(1, id_number=fake_id(BORN)[:17] + ("0" if fake_id(BORN)[17] != "0" else "1"))],
                       "E718", "记录 1·身份证号"),
    "id-shape": ([f04(1, id_number="99990120150302")], "E718", "记录 1·身份证号"),
    "mobile": ([f04(1, carer_phone="1380000000")], "E719", "记录 1·照护人电话"),
    "unsigned": ([f04(1, surveyor_signed=False)], "E720", "记录 1·填表人签名"),
    "consent-unticked": ([f04(1, consent_f08=False)], "E720", "记录 1·已签知情同意书"),
    "table-row-unknown-column": ([f07(participants=[{"name": "李某某", "age": 30}])], "E713", "记录 1"),
    "duplicate-child": ([f04(1), f04(2, child_no="DZ-00001")], "E730", "记录 2·儿童编号"),
    "pairing-unknown-child": ([f04(1), f06("DZ-09999")], "E731", "记录 2·儿童编号"),
    "birth-vs-id": ([f04(1, birth_date="2015-03-03")], "E732", "记录 1·出生日期"),
    "aged-14-flag": ([f04(1, aged_14=True)], "E733", "记录 1·已满 14 周岁"),
    "child-14-must-sign": ([f04(1, born=date(2010, 5, 1), consent_f08_child=False)], "E733",
                           "记录 1·孩子已满 14 周岁并已本人签署 WG-F08"),
    "child-under-14-not-consent": ([f04(1, consent_f08_child=True)], "E733", "记录 1·孩子已满 14 周岁并已本人签署 WG-F08"),
    "f08-after-survey": ([f04(1, consent_f08_date="2026-10-09")], "E733", "记录 1·WG-F08 签署日期"),
    "f08-before-14": ([f04(1, born=date(2012, 10, 1), consent_f08_date="2026-09-20")], "E733",
                      "记录 1·WG-F08 签署日期"),
    "health-refused": ([f04(1, consent_f08_health="不同意", health=["健康"])], "E733", "记录 1·健康状况"),
    "f08-child-tick-under-14": ([f08(aged_14=False, use_basic=["监护人同意", "孩子同意"])], "E733", "记录 1·① 基本信息和家庭情况用于建档、结对和走访"),
    "f08-child-tick-missing": ([f08(aged_14=True, child_signed=True)], "E733", "记录 1·① 基本信息和家庭情况用于建档、结对和走访"),
    "f08-guardian-both": ([f08(use_health=["监护人同意", "监护人不同意"])], "E733", "记录 1·② 健康信息用于安全照顾、活动安排和救助申请"),
}


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wugu", "records", "check", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def bad_json_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bad-json")
    for case, (records, _, _) in BAD_JSON.items():
        (folder / f"{case}.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = _run("--project", str(Path(__file__).parent.parent), "--format", "json",
                  *sorted(f"{c}.json" for c in BAD_JSON), cwd=folder)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_bad_json_record(bad_json_report: dict, case: str) -> None:
    _, code, where = BAD_JSON[case]
    found = [(p["code"], p["where"]) for p in bad_json_report["problems"] if p["file"] == f"{case}.json"]
    assert (code, where) in found, found


def test_messages_never_echo_sensitive_values(bad_json_report: dict) -> None:
    text = json.dumps(bad_json_report, ensure_ascii=False)
    for records, _, _ in BAD_JSON.values():
        for r in records:
            for key in ("id_number", "name", "carer_phone"):
                value = r.get(key)
                if isinstance(value, str) and len(value) > 4:
                    assert value not in text, key
    assert "张小明" not in text


def test_valid_json_in_every_shape(tmp_path: Path) -> None:
    adult = {u: ["监护人同意", "孩子同意"] for u in ("use_basic", "use_health", "use_photos_internal", "use_publicity",
                                                 "share_charity")}
    records = [f04(1), f04(2, born=date(2010, 5, 1)), f06("DZ-00001"), f07(), f08(),
               f08(birth_date="2010-05-01", aged_14=True, child_signed=True, **adult)]
    (tmp_path / "array.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps(f07(), ensure_ascii=False), encoding="utf-8-sig")
    (tmp_path / "lines.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records[2:]) + "\n",
                                          encoding="utf-8")
    result = _run("array.json", "one.json", "lines.jsonl", cwd=tmp_path)  # outside a project: the base forms
    assert result.returncode == 0, result.stdout + result.stderr
    assert "11 份记录" in result.stdout


def test_usage_and_reading_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"form": "WG-F04",', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "bignum.json").write_text('{"form": "WG-F04", "x": ' + "9" * 5000 + "}", encoding="utf-8")
    (tmp_path / "long.csv").write_text('WG-F04 2026.1\n姓名\n"' + "x" * 200_000 + '"\n', encoding="utf-8")
    (tmp_path / "damaged.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 64)
    (tmp_path / "ansi.json").write_bytes('{"form": "WG-F07", "child": "小红"}'.encode("gbk"))  # Notepad's “ANSI”
    result = _run("broken.json", "bignum.json", "long.csv", "damaged.xlsx", "ansi.json", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.count("error E710") == 5 and "Traceback" not in result.stderr
    assert "E524" not in result.stdout and "ansi.json: error E710: 读不出记录：文件不是 UTF-8 编码" in result.stdout
    result = _run("missing.json", "notes.txt", "--format", "github", cwd=tmp_path)
    assert result.returncode == 2
    assert "::error file=missing.json,title=wugu E740" in result.stdout and "E741" in result.stdout


def test_record_schemas_pass_the_metaschema(tmp_path: Path, root: Path) -> None:
    handbook = load_handbook(root)
    files = []
    for form in handbook.forms:
        schema = record_schema(form)
        assert schema["$id"] == f"urn:wugu:form:{form.code}:{form.version}"
        assert schema == record_schema(form)  # pure: the same form gives the same schema
        path = tmp_path / f"{form.code}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    exe = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run([str(exe), "--check-metaschema", *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_record_schema_shape(root: Path) -> None:
    f04_schema = record_schema(load_handbook(root).form("F04"))
    props = f04_schema["properties"]
    assert props["id_number"]["format"] == "cn-id-number" and "无" in props["id_number"]["pattern"]
    assert props["birth_date"]["format"] == "date"
    assert props["categories"]["uniqueItems"] and "孤儿" in props["categories"]["items"]["enum"]
    assert props["carer_relation"]["enum"][-1] == "其他" and "carer_relation_other" in props
    assert props["certified_detail"]["x-wugu"]["part_of"] == "certified"
    assert props["surveyor_signed"] == {**props["surveyor_signed"], "type": "boolean", "const": True}
    assert props["consent_f08"] == {**props["consent_f08"], "type": "boolean", "const": True}
    assert props["name"]["x-wugu"]["sensitive"] is True and "x-wugu" in f04_schema
    assert not any(p.get("x-wugu", {}).get("type") == "notice" for p in props.values())


def test_china_formats_fixture() -> None:
    """The shared examples (JSON) that the browser's JavaScript must agree on too."""
    data = cnfixture.load()
    for value in data["id_number"]["valid"]:
        assert value.startswith("999") and cn.id_number_problem(value) is None
    for case in data["id_number"]["invalid"]:
        assert cn.id_number_problem(case["value"]) == case["why"], case
    for value, born in data["id_number"]["birth_date"]:
        assert cn.id_birth_date(value).isoformat() == born
    assert all(cn.valid_mobile(v) for v in data["mobile"]["valid"])
    assert not any(cn.valid_mobile(v) for v in data["mobile"]["invalid"])
    assert all(cn.valid_phone(v) for v in data["phone"]["valid"])
    assert not any(cn.valid_phone(v) for v in data["phone"]["invalid"])
    for text, iso in data["date"]["normalize"]:
        assert cn.normalize_date(text) == iso
    assert not any(cn.normalize_date(v) for v in data["date"]["invalid"])
    for value, masked in data["mask"]:
        assert cn.mask(value) == masked


def test_form_keys_are_checked(tmp_path: Path, root: Path) -> None:
    from conftest import copy_project, run_wugu

    project = copy_project(tmp_path / "p")
    f02 = project / "forms" / "F02-volunteer-pledge.yml"
    text = f02.read_text(encoding="utf-8")
    f02.write_text(text.replace("key: volunteer_no,", "key: name,"), encoding="utf-8")
    result = run_wugu("check", str(project))
    assert result.returncode == 1 and "F02-volunteer-pledge.yml:" in result.stdout and "error E700" in result.stdout
    f02.write_text(text.replace("key: witness_date, ", ""), encoding="utf-8")
    result = run_wugu("check", str(project))
    assert result.returncode == 1 and "error E202" in result.stdout and "“key”" in result.stdout
