/* The browser's China formats (src/wugu/templates/site/assets/wugu/fill/cn-formats.js) against the shared fixture
 * file tests/fixtures/cnformats.json — the same examples tests/test_records_check.py runs through wugu.cnformats —
 * and, for a differential check, the answers to any list of strings the Python test sends.
 *
 * Under Node:  node tests/js/cnformats_check.js CN_FORMATS_JS FIXTURE_JSON [CASES_JSON]
 * In a browser (no Node): the test evaluates this file after cn-formats.js and calls wuguFormatReport(). */
"use strict";

function wuguFormatReport(F, data, cases) {
  var failures = [];
  function expect(ok, what) { if (!ok) { failures.push(what); } }
  data.id_number.valid.forEach(function (v) { expect(F.idNumberProblem(v) === null, "valid id " + v); });
  data.id_number.invalid.forEach(function (c) {
    expect(F.idNumberProblem(c.value) === c.why, "id " + c.value + " should be " + c.why + ", got " + F.idNumberProblem(c.value));
  });
  data.id_number.birth_date.forEach(function (p) { expect(F.idBirthDate(p[0]) === p[1], "birth date of " + p[0]); });
  data.mobile.valid.forEach(function (v) { expect(F.validMobile(v), "valid mobile " + v); });
  data.mobile.invalid.forEach(function (v) { expect(!F.validMobile(v), "invalid mobile " + v); });
  data.phone.valid.forEach(function (v) { expect(F.validPhone(v), "valid phone " + v); });
  data.phone.invalid.forEach(function (v) { expect(!F.validPhone(v), "invalid phone " + v); });
  data.date.normalize.forEach(function (p) { expect(F.normalizeDate(p[0]) === p[1], "normalize " + p[0] + " → " + F.normalizeDate(p[0])); });
  data.date.invalid.forEach(function (v) { expect(F.normalizeDate(v) === null, "invalid date " + v); });
  data.mask.forEach(function (p) { expect(F.mask(p[0]) === p[1], "mask " + p[0] + " → " + F.mask(p[0])); });
  var answers = (cases || []).map(function (s) {
    return [F.idNumberProblem(s), F.validMobile(s), F.validPhone(s), F.normalizeDate(s), F.mask(s)];
  });
  return { checked: true, failures: failures, answers: answers };
}

if (typeof module === "object" && module.exports && typeof require === "function" && require.main === module) {
  var fs = require("fs");
  var F = require(require("path").resolve(process.argv[2]));
  var data = JSON.parse(fs.readFileSync(process.argv[3], "utf-8"));
  var cases = process.argv[4] ? JSON.parse(fs.readFileSync(process.argv[4], "utf-8")) : [];
  process.stdout.write(JSON.stringify(wuguFormatReport(F, data, cases)));
}
