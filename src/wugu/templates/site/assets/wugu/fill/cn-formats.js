/* wugu: China formats in the browser — 居民身份证号 (GB 11643, check digit), 手机号, phone numbers, dates.
 * The JavaScript twin of src/wugu/cnformats.py: the same rules, proven equal by one shared fixture file
 * (tests/fixtures/cnformats.json) that the Python and the JavaScript test suites both run.
 * A classic script (works from file://): sets the global WuguFormats; under Node it is module.exports. */
(function (root) {
  "use strict";
  var ID_NUMBER = /^[1-9][0-9]{16}[0-9X]$/;
  var MOBILE = /^1[3-9][0-9]{9}$/;
  var PHONE = /^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?)$/;
  var DATE = /^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$/;
  /* The blanks people leave around and inside a written date: space, tab, 全角空格 (as in Python). */
  var LOOSE_DATE = /^[ \t\u3000]*([0-9]{4})[ \t\u3000]*[-/.年][ \t\u3000]*([0-9]{1,2})[ \t\u3000]*[-/.月][ \t\u3000]*([0-9]{1,2})[ \t\u3000]*日?[ \t\u3000]*$/;
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  var NO_ID = "无";

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) { s = "0" + s; }
    return s;
  }

  /* A real calendar date as ISO text, or null (Python's datetime.date accepts years 1–9999). */
  function isoDate(y, m, d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) { return null; }
    var days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if (d > days[m - 1]) { return null; }
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
  }

  function isDigits(s) { return /^[0-9]+$/.test(s); }

  /* The check digit (0–9 or X) for the first 17 digits of an ID number. */
  function idCheckDigit(first17) {
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += Number(first17.charAt(i)) * WEIGHTS[i]; }
    return CHECK.charAt(sum % 11);
  }

  /* True if an 18-character mainland ID number has a correct check digit. */
  function validIdNumber(s) {
    return s.length === 18 && isDigits(s.slice(0, 17)) && idCheckDigit(s.slice(0, 17)) === s.charAt(17).toUpperCase();
  }

  /* The birth date written in an ID number (digits 7–14) as ISO text, or null if it is not a real date. */
  function idBirthDate(s) {
    var y = s.slice(6, 10), m = s.slice(10, 12), d = s.slice(12, 14);
    if (!isDigits(y) || !isDigits(m) || !isDigits(d)) { return null; }
    return isoDate(Number(y), Number(m), Number(d));
  }

  /* Why s is not a valid ID number — "shape", "birth" or "check" — or null if it is valid. */
  function idNumberProblem(s) {
    if (!ID_NUMBER.test(s)) { return "shape"; }
    var born = idBirthDate(s);
    var year = born ? Number(born.slice(0, 4)) : 0;
    if (born === null || year < 1900 || year > 2099) { return "birth"; }
    if (!validIdNumber(s)) { return "check"; }
    return null;
  }

  function validMobile(s) { return MOBILE.test(s); }
  function validPhone(s) { return PHONE.test(s); }

  /* An ISO date from how people write dates (2026-1-5, 2026/1/5, 2026.1.5, 2026年1月5日), or null when it is not
   * a real calendar date in 1900–2099. */
  function normalizeDate(s) {
    var m = LOOSE_DATE.exec(s);
    if (!m) { return null; }
    var iso = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (iso === null) { return null; }
    var year = Number(iso.slice(0, 4));
    return year >= 1900 && year <= 2099 ? iso : null;
  }

  /* A number shown in a message with its middle hidden: 3713***********12X, 138******00, 1***5. */
  function mask(s) {
    s = String(s).replace(/^[ \t\u3000\r\n]+|[ \t\u3000\r\n]+$/g, "");
    if (s.length < 4) { return stars(s.length); }
    var keep = s.length >= 15 ? [4, 3] : s.length >= 8 ? [3, 2] : [1, 1];
    return s.slice(0, keep[0]) + stars(s.length - keep[0] - keep[1]) + s.slice(s.length - keep[1]);
  }
  function stars(n) { return new Array(n + 1).join("*"); }

  /* A typed value after the tidy steps of wugu.cnformats.TIDY (the one table, published in each record schema
   * property as x-wugu.tidy): halfwidth, trim, no-blanks, no-dashes, mobile-dashes, upper-x, date. */
  var TIDY_BLANKS = /[ \t\r\n\u3000\u00a0]/;
  var TIDY_FULL = "０１２３４５６７８９．－／Ｘｘ", TIDY_HALF = "0123456789.-/Xx";
  function tidy(value, steps) {
    var s = String(value);
    for (var i = 0; i < steps.length; i++) {
      var step = steps[i];
      if (step === "halfwidth") {
        s = s.replace(/[０-９．－／Ｘｘ]/g, function (c) { return TIDY_HALF.charAt(TIDY_FULL.indexOf(c)); });
      } else if (step === "trim") {
        s = s.replace(/^[ \t\r\n\u3000\u00a0]+|[ \t\r\n\u3000\u00a0]+$/g, "");
      } else if (step === "no-blanks") {
        s = s.replace(/[ \t\r\n\u3000\u00a0]+/g, "");
      } else if (step === "no-dashes") {
        s = s.replace(/-/g, "");
      } else if (step === "mobile-dashes") {
        if (MOBILE.test(s.replace(/-/g, ""))) { s = s.replace(/-/g, ""); }
      } else if (step === "upper-x") {
        if (s.charAt(s.length - 1) === "x") { s = s.slice(0, -1) + "X"; }
      } else if (step === "date") {
        s = normalizeDate(s) || s;
      } else {
        throw new Error("unknown tidy step " + step);
      }
    }
    return s;
  }

  var api = {
    ID_NUMBER_PATTERN: ID_NUMBER.source, MOBILE_PATTERN: MOBILE.source, PHONE_PATTERN: PHONE.source,
    DATE_PATTERN: DATE.source, NO_ID: NO_ID,
    idCheckDigit: idCheckDigit, validIdNumber: validIdNumber, idBirthDate: idBirthDate,
    idNumberProblem: idNumberProblem, validMobile: validMobile, validPhone: validPhone,
    normalizeDate: normalizeDate, mask: mask, tidy: tidy
  };
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.WuguFormats = api; }
})(typeof globalThis !== "undefined" ? globalThis : this);
