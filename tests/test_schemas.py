"""The JSON Schemas: valid 2020-12 schemas (checked by an independent tool), and editor-friendly."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMAS = sorted((Path(__file__).resolve().parent.parent / "schemas").glob("*.schema.json"))
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_there_is_a_schema_per_kind():
    names = {p.name for p in SCHEMAS}
    assert {"profile.schema.json", "regulation.schema.json", "norms.schema.json", "form.schema.json",
            "pack.schema.json", "vocab.schema.json", "glossary.schema.json", "defs.schema.json"} <= names


def test_schemas_pass_the_2020_12_metaschema():
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run([exe, "--check-metaschema", *map(str, SCHEMAS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _resolve(node: dict, schema: dict, here: Path) -> dict:
    ref = node.get("$ref")
    if not ref:
        return node
    file, _, pointer = ref.partition("#")
    target = json.loads((here.parent / file).read_text(encoding="utf-8")) if file else schema
    for part in pointer.strip("/").split("/"):
        target = target[part]
    return {**_resolve(target, target, here), **{k: v for k, v in node.items() if k != "$ref"}}


def _properties(node, schema, here, at=""):
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{at}/{name}", _resolve(prop, schema, here)
        for key, value in node.items():
            if key != "if":  # an "if" only tests a value; its properties are not keys of their own
                yield from _properties(value, schema, here, f"{at}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, schema, here, f"{at}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_property_has_a_chinese_title_and_description(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema.get("additionalProperties") is False or "$defs" in schema and "properties" not in schema
    missing = [where for where, prop in _properties(schema, schema, path)
               if not (HAN.search(prop.get("title", "")) and HAN.search(prop.get("description", "")))]
    assert not missing, f"{path.name}: these properties lack a Chinese title or description: {missing}"


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_object_refuses_unknown_keys(path):
    schema = json.loads(path.read_text(encoding="utf-8"))

    def walk(node, at=""):
        if isinstance(node, dict):
            if "properties" in node and node.get("type") == "object" and "allOf" not in node:
                assert node.get("additionalProperties") is False, f"{path.name}{at} allows unknown keys"
            for k, v in node.items():
                walk(v, f"{at}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{at}/{i}")

    walk(schema)
