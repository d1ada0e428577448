/* The browser side of tests/test_records_rules.py: the published record schemas' rules (x-wugu.rules), run on
 * generated records by the fill page's own scripts (json-schema.js, cn-formats.js, record-rules.js).
 *   node record_rules_check.js ASSET_DIR CASES.json   → prints {"verdicts": [[[code, field], …], …]}
 * CASES.json: {"today": "2026-11-24", "schemas": {"WG-F04": {…}}, "records": [{…}, …]} */
"use strict";
const fs = require("fs");
const path = require("path");
const dir = path.resolve(process.argv[2]);
const JS = require(path.join(dir, "json-schema.js"));
const R = require(path.join(dir, "record-rules.js"));
const cases = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const rules = {};
for (const code of Object.keys(cases.schemas)) {
  new JS.Validator(cases.schemas[code], "2020-12", false);   /* the whole schema, rules inside, compiles as on the page */
  rules[code] = new R.Rules(cases.schemas[code], JS.Validator);
}
const verdicts = cases.records.map((rec) => rules[rec.form].broken(rec, cases.today).map((r) => [r.code, r.field]));
process.stdout.write(JSON.stringify({ verdicts: verdicts }));
