/* wugu: the rules within one record, in the browser — the JavaScript twin of src/wugu/records/rulebook.py.
 * The rules themselves are not written here: they come with the form's published record schema (x-wugu.rules,
 * JSON Schema if/then each) and are checked by the same JSON Schema validator as the record. This file only
 * derives the facts a rule may read (x-wugu.derived: an age, days between two dates, whether the birth date in the
 * ID number matches) exactly as the Python side does; tests/test_records_rules.py compares both sides' verdicts on
 * thousands of generated records. A classic script (works from file://): sets the global WuguRules; under Node it
 * is module.exports and takes cn-formats.js from beside it. */
(function (root) {
  "use strict";
  var F = typeof module === "object" && module.exports ? require("./cn-formats.js") : root.WuguFormats;

  /* A date written exactly as YYYY-MM-DD (a real date in 1900–2099), else null. */
  function iso(v) { return typeof v === "string" && F.normalizeDate(v) === v ? v : null; }
  function ymd(s) { return [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))]; }
  function blank(v) { return v === undefined || v === null || v === ""; }

  /* Full years of age on a day (周岁), as wugu.cnformats.age_on. */
  function ageOn(born, day) {
    var b = ymd(born), d = ymd(day);
    return d[0] - b[0] - (d[1] < b[1] || (d[1] === b[1] && d[2] < b[2]) ? 1 : 0);
  }
  function days(from, to) {
    var a = ymd(from), b = ymd(to);
    return Math.round((Date.UTC(b[0], b[1] - 1, b[2]) - Date.UTC(a[0], a[1] - 1, a[2])) / 86400000);
  }
  function todayIso() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  /* A count in a table cell: a whole number ≥ 0, digits (a small count may carry ＊), blank as 0; else null. */
  function count(v) {
    if (v === undefined || v === null || v === "") { return 0; }
    if (typeof v === "number") { return Number.isInteger(v) && v >= 0 ? v : null; }
    if (typeof v !== "string") { return null; }
    var s = v.replace(/^[ \t\u3000]+|[ \t\u3000]+$/g, "").replace(/[＊*]+$/, "");
    return s === "" ? 0 : /^[0-9]{1,9}$/.test(s) ? Number(s) : null;
  }
  /* row[total] equals the sum of row[parts] (a row with a value that is not a count is left to the schema). */
  function addsUp(row, total, parts) {
    if (!row || typeof row !== "object" || Array.isArray(row)) { return true; }
    var nums = [total].concat(parts).map(function (k) { return count(row[k]); });
    if (nums.some(function (n) { return n === null; })) { return true; }
    return nums[0] === nums.slice(1).reduce(function (a, b) { return a + b; }, 0);
  }

  /* The rule view of a record: a copy with the derived facts of spec added (left out when a date is missing). */
  function derive(record, spec, today) {
    var view = {};
    Object.keys(record).forEach(function (k) { view[k] = record[k]; });
    today = today || todayIso();
    Object.keys(spec || {}).forEach(function (name) {
      var d = spec[name];
      if (d.kind === "age") {
        var born = iso(record[d.birth]);
        var on = blank(record[d.on]) ? today : iso(record[d.on]);
        if (born && on) { view[name] = ageOn(born, on); }
      } else if (d.kind === "days") {
        var start = iso(record[d.from]);
        var end = blank(record[d.to]) ? today : iso(record[d.to]);
        if (start && end) { view[name] = days(start, end); }
      } else if (d.kind === "id-birth-matches") {
        var number = record[d.number], birth = iso(record[d.birth]);
        if (birth && typeof number === "string" && F.idNumberProblem(number) === null) {
          view[name] = F.idBirthDate(number) === birth;
        }
      } else if (d.kind === "row-sums") {
        var rows = record[d.table];
        if (Array.isArray(rows) && rows.length) {
          view[name] = rows.every(function (row) { return addsUp(row, d.total, d.parts); });
        }
      } else {
        throw new Error("unknown derived fact kind " + d.kind);
      }
    });
    return view;
  }

  /* The rules of one record schema, compiled once with the page's JSON Schema validator. */
  function Rules(schema, Validator) {
    var x = schema["x-wugu"] || {};
    this.derived = x.derived || {};
    this.rules = x.rules || [];
    this.validators = this.rules.map(function (r) { return new Validator(r, "2020-12", true); });
  }
  /* The x-wugu part (code, field, involves, message, fix) of every rule the record breaks. */
  Rules.prototype.broken = function (record, today) {
    var view = derive(record, this.derived, today);
    var self = this;
    return this.rules.filter(function (r, i) { return !self.validators[i].validate(view).valid; })
      .map(function (r) { return r["x-wugu"]; });
  };

  var api = { derive: derive, ageOn: ageOn, Rules: Rules };
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.WuguRules = api; }
})(typeof globalThis !== "undefined" ? globalThis : this);
