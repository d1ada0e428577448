/* wugu fill mode (在电脑上填写): read the form on the page into a record, check it against the form's published
 * record schema as the person types, save it as a JSON file, open one back, print the form with its values.
 *
 * Privacy: this script makes no network request and keeps nothing in cookies, localStorage or IndexedDB. The
 * record lives in the page only; 保存 hands it to the browser as a download (a blob: URL), 打开 reads a file the
 * person picks. Classic script (works from file://); needs json-schema.js and cn-formats.js loaded before it. */
(function () {
  "use strict";
  var root = document.querySelector(".wg-fill");
  if (!root || !window.WuguJsonSchema || !window.WuguFormats || !window.WuguRules) { return; }
  var F = window.WuguFormats;
  var schema = JSON.parse(root.querySelector(".wg-fill__schema").textContent);
  var props = schema.properties;
  var code = root.getAttribute("data-form");
  var formDate = root.getAttribute("data-form-date");   /* the field that is the form's date (form_date: true) */
  var version = root.getAttribute("data-version");
  var form = root.querySelector(".wg-fill__form");
  var summary = root.querySelector(".wg-fill__summary");
  var statusEl = root.querySelector(".wg-fill__status");
  var fileInput = root.querySelector(".wg-fill__file");
  var fields = Array.prototype.slice.call(root.querySelectorAll("[data-field]"));

  /* The China formats of the record schema (format names from wugu.records.schema.FORMATS). "无" (no ID number)
   * passes the format: the schema's pattern decides whether the field allows it. */
  var fmt = window.WuguJsonSchema.format;
  fmt["cn-id-number"] = function (s) { return s === F.NO_ID || F.idNumberProblem(s) === null; };
  fmt["cn-mobile"] = F.validMobile;
  fmt["cn-phone"] = F.validPhone;
  var validator = new window.WuguJsonSchema.Validator(schema, "2020-12", false);
  /* The rules within one record (age and consent, birth date in the ID number): JSON Schema if/then published in
   * the same schema (x-wugu.rules), the very rules `wugu records check` runs. */
  var rules = new window.WuguRules.Rules(schema, window.WuguJsonSchema.Validator);

  var dirty = false;
  var showAll = false;           /* after 保存/打印/打开: every problem is shown, not only those of touched fields */
  var touched = {};              /* property name → true once the person left it or changed it */
  var extra = {};                /* properties of an opened record this form does not have: kept as they were */
  var order = {};                /* multichoice key → the options in the order they were ticked (or opened) */

  function $all(el, sel) { return Array.prototype.slice.call(el.querySelectorAll(sel)); }
  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function label(prop) {
    var p = props[prop];
    return p ? (p["x-wugu"] && p["x-wugu"].label) || p.title || prop : prop;
  }
  function say(text) { statusEl.textContent = text; }

  /* ---- form → record ------------------------------------------------------------------------------------ */

  var FULLWIDTH = /[\uFF10-\uFF19\uFF0E\uFF0D\uFF0F\uFF38\uFF58]/g;   /* ０-９ ． － ／ Ｘ ｘ */
  function halfWidth(s) {
    return s.replace(FULLWIDTH, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
  }
  function numberOf(text) {
    var s = halfWidth(text).trim();
    return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : text;
  }
  function textValue(rec, el) {
    var prop = el.getAttribute("data-prop");
    if (el.value !== "") { rec[prop] = el.value; }
  }
  function checkedValues(field, key) {
    return $all(field, 'input[name="' + key + '"]:checked').map(function (i) { return i.value; });
  }
  function flagValue(rec, el) {
    var prop = el.getAttribute("data-prop");
    if (el.checked) { rec[prop] = true; } else if (el.getAttribute("data-was-false")) { rec[prop] = false; }
  }

  function tableRows(field) {
    var rows = [];
    $all(field, ".wg-fill__table > tbody > tr").forEach(function (tr) {
      var row = {};
      $all(tr, "input[data-col]").forEach(function (input) {
        if (input.value === "") { return; }
        row[input.getAttribute("data-col")] = input.getAttribute("data-number") ? numberOf(input.value) : input.value;
      });
      if (Object.keys(row).length) { rows.push(row); }
    });
    return rows;
  }

  function collect() {
    var rec = { form: code, version: version };
    fields.forEach(function (field) {
      var key = field.getAttribute("data-field");
      var kind = field.getAttribute("data-kind");
      if (kind === "text" || kind === "longtext" || kind === "date" || kind === "signdate") {
        textValue(rec, field.querySelector("[data-prop='" + key + "']"));
      } else if (kind === "number") {
        var input = field.querySelector("[data-prop='" + key + "']");
        if (input.value !== "") { rec[key] = numberOf(input.value); }
      } else if (kind === "choice") {
        var picked = checkedValues(field, key);
        if (picked.length) { rec[key] = picked[0]; }
      } else if (kind === "multichoice") {
        var ticked = checkedValues(field, key);
        var ordered = (order[key] || []).filter(function (v) { return ticked.indexOf(v) >= 0; });
        ticked.forEach(function (v) { if (ordered.indexOf(v) < 0) { ordered.push(v); } });
        if (ordered.length) { rec[key] = ordered; }
      } else if (kind === "yesno") {
        var yn = checkedValues(field, key);
        if (yn.length) { rec[key] = yn[0] === "true"; }
      } else if (kind === "statement" || kind === "signature" || kind === "photo") {
        flagValue(rec, field.querySelector("[data-prop='" + key + "']"));
      } else if (kind === "table") {
        var rows = tableRows(field);
        if (rows.length) { rec[key] = rows; }
      }
      $all(field, ".wg-fill__other [data-prop]").forEach(function (el) { textValue(rec, el); });
    });
    Object.keys(extra).forEach(function (k) { if (!own(rec, k)) { rec[k] = extra[k]; } });
    return rec;
  }

  /* ---- record → form ------------------------------------------------------------------------------------ */

  function setText(el, value) {
    el.value = value === undefined || value === null ? "" : String(value);
    if (typeof value === "number") { el.setAttribute("data-number", "1"); } else { el.removeAttribute("data-number"); }
  }

  function addRow(field, values) {
    var tbody = field.querySelector(".wg-fill__table > tbody");
    var tr = field.querySelector("template").content.firstElementChild.cloneNode(true);
    tbody.appendChild(tr);
    if (values) {
      $all(tr, "input[data-col]").forEach(function (input) { setText(input, values[input.getAttribute("data-col")]); });
    }
    renumber(field);
    return tr;
  }

  function renumber(field) {
    var key = field.getAttribute("data-field");
    var name = field.getAttribute("data-label");
    var rows = $all(field, ".wg-fill__table > tbody > tr");
    rows.forEach(function (tr, i) {
      $all(tr, "input[data-col]").forEach(function (input) {
        var col = input.getAttribute("data-col");
        input.id = "wg-" + key + "-" + i + "-" + col;
        input.setAttribute("aria-label", name + " 第" + (i + 1) + "行 " + input.getAttribute("data-col-label"));
      });
      tr.querySelector(".wg-fill__rowdel").setAttribute("aria-label", "删除" + name + "第" + (i + 1) + "行");
    });
    var paper = Number(field.getAttribute("data-paper-rows"));
    var count = field.querySelector(".wg-fill__rowcount");
    count.textContent = "共 " + rows.length + " 行" + (rows.length > paper
      ? "（纸面上有 " + paper + " 行，多出的行打印时接着往下排）" : "（和纸面一样 " + paper + " 行）");
  }

  function resetTable(field, rows) {
    field.querySelector(".wg-fill__table > tbody").textContent = "";
    var paper = Number(field.getAttribute("data-paper-rows"));
    var n = Math.max(paper, rows ? rows.length : 0);
    for (var i = 0; i < n; i++) { addRow(field, rows && rows[i]); }
  }

  function fill(rec) {
    order = {};
    fields.forEach(function (field) {
      var key = field.getAttribute("data-field");
      var kind = field.getAttribute("data-kind");
      var v = rec[key];
      if (kind === "table") {
        resetTable(field, Array.isArray(v) ? v : null);
      } else if (kind === "choice" || kind === "multichoice" || kind === "yesno") {
        var want = kind === "multichoice" ? (Array.isArray(v) ? v.map(String) : [])
          : kind === "yesno" ? (typeof v === "boolean" ? [String(v)] : []) : (v === undefined ? [] : [String(v)]);
        $all(field, 'input[name="' + key + '"]').forEach(function (i) {
          i.checked = want.indexOf(i.value) >= 0;
          i.setAttribute("data-was-checked", i.checked ? "1" : "");
        });
        if (kind === "multichoice") { order[key] = want.slice(); }
      } else if (kind === "statement" || kind === "signature" || kind === "photo") {
        var box = field.querySelector("[data-prop='" + key + "']");
        box.checked = v === true;
        if (v === false) { box.setAttribute("data-was-false", "1"); } else { box.removeAttribute("data-was-false"); }
      } else {
        setText(field.querySelector("[data-prop='" + key + "']"), v);
      }
      $all(field, ".wg-fill__other [data-prop]").forEach(function (el) {
        setText(el, rec[el.getAttribute("data-prop")]);
      });
    });
    extra = {};
    Object.keys(rec).forEach(function (k) {
      if (k !== "form" && k !== "version" && !own(props, k)) { extra[k] = rec[k]; }
    });
    $all(form, "[data-prop]").forEach(function (el) { if (el.type === "text") { tidy(el); } });  // as `records check` reads it
    $all(form, "textarea").forEach(grow);
    mirrorAll();
  }

  /* ---- what prints: each value in the paper form's writing space --------------------------------------- */

  function paperDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    return m ? m[1] + " 年 " + Number(m[2]) + " 月 " + Number(m[3]) + " 日" : iso;
  }

  function mirror(el) {
    var out = el.nextElementSibling;
    while (out && !out.classList.contains("wg-fill__out")) { out = out.nextElementSibling; }
    if (!out) { return; }
    if (el.classList.contains("wg-fill__date")) {
      if (el.value === "") {
        out.innerHTML = '<span class="wg-date"><span class="wg-gap"></span>年<span class="wg-gap wg-gap--s"></span>月'
          + '<span class="wg-gap wg-gap--s"></span>日</span>';
      } else {
        out.textContent = paperDate(F.normalizeDate(el.value) || el.value);
      }
    } else {
      out.textContent = el.value;
    }
  }
  function mirrorAll() { $all(form, ".wg-fill__text, .wg-fill__cell").forEach(mirror); }
  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  /* ---- checking: the schema's verdict in Chinese, next to the field and in a summary at the top ---------- */

  /* The words about formats: wugu.cnformats.MESSAGES, published in the schema, the very words of `wugu records check`. */
  var MSG = (schema["x-wugu"] && schema["x-wugu"].messages) || {};

  function message(prop, keyword, value, kind) {
    var p = props[prop] || {};
    var note = p["x-wugu"] || {};
    if (keyword === "required" || keyword === "const" && p.type === "boolean") {
      if (kind === "signature") { return "必须签名：打印后在纸上签名，再勾选“纸面上已签名”"; }
      if (kind === "statement") { return "必须勾选这一项"; }
      if (kind === "choice" || kind === "yesno") { return "必选：请选一项"; }
      if (kind === "multichoice") { return "必选：至少选一项"; }
      return "必填：请填写";
    }
    if (keyword === "format" || keyword === "pattern") {
      var format = note.format || (p.format === "date" ? "date" : "");
      if (format === "id-number" || p.format === "cn-id-number") {
        var problem = value === F.NO_ID ? "none" : F.idNumberProblem(String(value)) || "shape";
        return MSG["id-" + problem] + (problem === "shape" && p.pattern && p.pattern.indexOf(F.NO_ID) >= 0
          ? "；" + MSG["id-none-allowed"] : "");
      }
      if (format === "mobile" || p.format === "cn-mobile") { return MSG.mobile; }
      if (format === "phone" || p.format === "cn-phone") { return MSG.phone; }
      if (format === "date" || kind === "date" || kind === "signdate") { return MSG.date; }
      return "格式不对";
    }
    if (keyword === "type") {
      return MSG[p && p.type === "integer" ? "integer" : "number"] + (note.unit ? "；单位：" + note.unit : "");
    }
    if (keyword === "minimum") { return "不能小于 " + p.minimum; }
    if (keyword === "maximum") { return "不能大于 " + p.maximum; }
    if (keyword === "maxLength") {
      return "太长了：最多 " + ((p.maxLength !== undefined ? p.maxLength : 200)) + " 个字";
    }
    if (keyword === "minItems") { return "至少选一项"; }
    if (keyword === "enum") { return "请从选项中选"; }
    if (keyword === "additionalProperties") { return "本表没有这一栏（打开的文件里多出来的），保存时原样保留"; }
    return "不符合要求";
  }

  /* Where a validator error points, as record path parts: ["name"], or ["participants", "2", "role"]. */
  function pathOf(error) {
    return error.instanceLocation.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  }

  /* Keywords whose errors only say "something inside failed": the inner error says what. */
  var WRAPPERS = { properties: 1, items: 1, prefixItems: 1, allOf: 1, anyOf: 1, oneOf: 1, $ref: 1, if: 1, then: 1,
    else: 1, dependentSchemas: 1 };

  function kindOf(prop) {
    var field = form.querySelector('[data-field="' + prop + '"]');
    return field ? field.getAttribute("data-kind") : (props[prop] && props[prop]["x-wugu"] || {}).type || "text";
  }

  function problems(rec) {
    var out = [];
    var seen = {};
    function add(prop, target, text, involves, code) {
      var id = target + "|" + text;
      if (seen[id]) { return; }
      seen[id] = true;
      var p = { prop: prop, target: target, text: text };
      if (involves) { p.involves = involves; p.code = code; }
      out.push(p);
    }
    (schema.required || []).forEach(function (k) {
      if (!own(rec, k)) { add(k, k, message(k, "required", undefined, kindOf(k))); }
    });
    var result = validator.validate(rec);
    result.errors.forEach(function (e) {
      if (WRAPPERS[e.keyword] || e.keyword === "required") { return; }   /* required: counted above */
      var parts = pathOf(e);
      if (e.keyword === "additionalProperties" && parts.length === 0) { return; }
      var prop = parts[0];
      if (!prop) { return; }
      var value = rec[prop];
      var target = prop;
      if (parts.length === 3) {          /* a table cell: key / row / column */
        target = prop + "-" + parts[1] + "-" + parts[2];
        var cellText = message(prop, e.keyword, undefined, "text");
        add(prop, target, "第 " + (Number(parts[1]) + 1) + " 行：" + cellText);
        return;
      }
      add(prop, target, message(prop, e.keyword, value, kindOf(prop)));
    });
    rules.broken(rec).forEach(function (r) { add(r.field, r.field, r.message + " — " + r.fix, r.involves, r.code); });
    Object.keys(extra).forEach(function (k) { add(k, "", label(k) + "：" + message(k, "additionalProperties")); });
    return out;
  }

  function errorSlot(prop) {
    var el = document.getElementById("wg-" + prop + "-err");
    if (el) { return el; }
    var field = form.querySelector('[data-field="' + prop.split("-")[0] + '"]');
    return field ? field.querySelector(".wg-fill__err") : null;
  }

  function controlOf(target) {
    var el = document.getElementById("wg-" + target);
    if (!el) { return null; }
    if (el.getAttribute("role") === "radiogroup" || el.getAttribute("role") === "group") {
      return el.querySelector("input:checked") || el.querySelector("input");
    }
    if (el.tagName === "TABLE") { return el.querySelector("input"); }
    return el;
  }

  function visible(p) {
    if (showAll) { return true; }
    /* a rule across fields shows once any field it reads was touched (the birth date, then the tick it rules) */
    return touched[p.prop] || touched[p.target] || (p.involves || []).some(function (k) { return touched[k]; });
  }

  function render(list) {
    $all(form, ".wg-fill__err").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    $all(form, "[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var shown = list.filter(visible);
    var slots = {};
    shown.forEach(function (p) {
      if (!p.target) { return; }
      var slot = errorSlot(p.target.indexOf("-") > 0 ? p.prop : p.target);
      if (!slot) { return; }
      slot.hidden = false;
      slot.textContent = (slots[slot.id] ? slot.textContent + "；" : "") + p.text;
      slots[slot.id] = true;
      var el = document.getElementById("wg-" + p.target);
      if (el) { el.setAttribute("aria-invalid", "true"); }
    });
    var ul = summary.querySelector("ul");
    ul.textContent = "";
    if (!shown.length) { summary.hidden = true; return; }
    summary.hidden = false;
    summary.querySelector(".wg-fill__summary-title").textContent = "还有 " + shown.length + " 处要改：";
    shown.forEach(function (p) {
      var li = document.createElement("li");
      var text = (p.target ? label(p.prop) + "：" : "") + p.text;
      if (p.target) {
        var a = document.createElement("a");
        a.href = "#wg-" + p.target;
        a.textContent = text;
        a.addEventListener("click", function (ev) {
          var c = controlOf(p.target);
          if (c) { ev.preventDefault(); c.focus(); c.scrollIntoView({ block: "center" }); }
        });
        li.appendChild(a);
      } else {
        li.textContent = text;
      }
      ul.appendChild(li);
    });
  }

  var pending = 0;
  function check() {
    window.clearTimeout(pending);
    var list = problems(collect());
    render(list);
    return list;
  }
  function checkSoon() {
    window.clearTimeout(pending);
    pending = window.setTimeout(check, 120);
  }

  /* ---- events ------------------------------------------------------------------------------------------- */

  function propOf(el) {
    if (el.hasAttribute("data-prop")) { return el.getAttribute("data-prop"); }
    if (el.hasAttribute("data-col")) { return el.id.replace(/^wg-/, ""); }
    return el.name || "";
  }
  function fieldKeyOf(el) {
    var field = el.closest("[data-field]");
    return field ? field.getAttribute("data-field") : "";
  }

  form.addEventListener("input", function (ev) {
    var el = ev.target;
    dirty = true;
    if (el.tagName === "TEXTAREA") { grow(el); }
    if (el.classList.contains("wg-fill__text") || el.classList.contains("wg-fill__cell")) { mirror(el); }
    var other = el.closest(".wg-fill__other");
    if (other && el.value !== "" && /_other$/.test(el.getAttribute("data-prop") || "")) {
      var key = fieldKeyOf(el);
      var box = form.querySelector('input[name="' + key + '"][value="其他"]');
      if (box && !box.checked) { box.checked = true; noteOrder(box); }
    }
    if (el.hasAttribute("data-was-false")) { el.removeAttribute("data-was-false"); }
    checkSoon();
  });
  form.addEventListener("change", function (ev) {
    var el = ev.target;
    dirty = true;
    if (el.type === "checkbox" && el.name) { noteOrder(el); }
    if (el.hasAttribute("data-was-false")) { el.removeAttribute("data-was-false"); }
    touched[propOf(el)] = true;
    touched[fieldKeyOf(el)] = true;
    check();
  });
  form.addEventListener("focusout", function (ev) {
    var el = ev.target;
    if (!el.classList || !el.classList.contains("wg-fill__ctl")) { return; }
    tidy(el);
    if (el.type !== "radio" && el.type !== "checkbox") {
      touched[propOf(el)] = true;
      touched[fieldKeyOf(el)] = true;
      check();
    }
  });
  /* When a box is left, the value is tidied by the steps the record schema names for it (x-wugu.tidy, from the one
   * table wugu.cnformats.TIDY that `wugu records check` uses too): full-width digits become ordinary ones, blanks at
   * the ends go, spaces (and in a mobile number dashes) inside ID and phone numbers go, a final x becomes X, a date
   * written as people write it becomes 2026-01-05. The person sees the tidied value; the record holds what is shown. */
  function tidy(el) {
    if (el.value === "") { return; }
    var p = props[el.getAttribute("data-prop")];
    var steps = p && p["x-wugu"] && p["x-wugu"].tidy;   /* wugu.cnformats.TIDY: the batch check tidies alike */
    if (!steps) { return; }
    var value = F.tidy(el.value, steps);
    if (value !== el.value) { el.value = value; mirror(el); dirty = true; }
  }

  /* A choice that is not required can be un-chosen: click (or Space on) the chosen option again. */
  form.addEventListener("click", function (ev) {
    var el = ev.target;
    if (el.type === "radio") {
      if (el.getAttribute("data-was-checked") === "1") {
        el.checked = false;
        el.removeAttribute("data-was-checked");
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
      $all(form, 'input[name="' + el.name + '"]').forEach(function (r) {
        if (r.checked) { r.setAttribute("data-was-checked", "1"); } else { r.removeAttribute("data-was-checked"); }
      });
    }
    if (el.classList.contains("wg-fill__rowdel")) {
      var field = el.closest("[data-field]");
      var tr = el.closest("tr");
      var next = tr.nextElementSibling || tr.previousElementSibling;
      tr.parentNode.removeChild(tr);
      renumber(field);
      dirty = true;
      (next ? next.querySelector("input") : field.querySelector(".wg-fill__rowadd")).focus();
      say("已删除一行");
      check();
    }
    if (el.classList.contains("wg-fill__rowadd")) {
      var f = el.closest("[data-field]");
      var row = addRow(f);
      dirty = true;
      row.querySelector("input").focus();
      say("已加一行");
    }
  });
  form.addEventListener("mousedown", function (ev) {
    var el = ev.target.closest ? ev.target.closest("label") : null;
    var input = el ? el.querySelector("input[type=radio]") : (ev.target.type === "radio" ? ev.target : null);
    if (input) { input.setAttribute("data-was-checked", input.checked ? "1" : ""); }
  });
  form.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT" && ev.target.type !== "button") {
      ev.preventDefault();       /* Enter in a text box must not submit or reload the page */
    }
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });

  function noteOrder(box) {
    var key = box.name;
    var list = (order[key] || []).filter(function (v) { return v !== box.value; });
    if (box.checked) { list.push(box.value); }
    order[key] = list;
  }

  /* ---- 保存 / 打开 / 打印 / 清空 -------------------------------------------------------------------------- */

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  /* The saved file's name: the form code, the child's number when the form has one (a pseudonym the handbook
   * allows, only letters, digits and dashes, never a run of six digits like an ID or phone number), and the
   * form's own date (调查日期, 走访日期 …) or today: WG-F04-DZ-00003-2026-10-08.json. */
  function fileName(rec) {
    var no = String(rec.child_no || "").trim();
    var safe = /^[A-Za-z0-9-]{1,20}$/.test(no) && !/\d{6}/.test(no) ? no + "-" : "";
    var day = formDate && /^\d{4}-\d{2}-\d{2}$/.test(rec[formDate] || "") ? rec[formDate] : today();
    return code + "-" + safe + day + ".json";
  }

  function save() {
    showAll = true;
    var list = check();
    if (list.length && !window.confirm("还有 " + list.length + " 处没填好或不符合要求（见页面上方）。"
      + "这样保存的记录通不过检查，只能当草稿。仍然保存吗？")) {
      summary.focus();
      return;
    }
    var text = JSON.stringify(collect(), null, 2) + "\n";
    var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = fileName(collect());   /* form code, child number, date — never a person's name */
    a.hidden = true;
    root.appendChild(a);
    a.click();
    root.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    dirty = false;
    say("已保存为 " + a.download + "（在浏览器的下载文件夹里）");
  }

  function refuse(text) {
    say("");
    window.alert(text);
  }

  function open(file) {
    var reader = new FileReader();
    reader.onload = function () {
      var rec, text;
      try {  // as wugu records check: a record is UTF-8; Notepad's “ANSI” (GBK) would open garbled and be saved so
        text = new TextDecoder("utf-8", { fatal: true }).decode(reader.result);
      } catch (e) {
        refuse("打不开：" + file.name + " 不是 UTF-8 编码（可能用记事本另存成了 ANSI）。请用记事本打开它，“另存为”时编码选 UTF-8，再打开。");
        return;
      }
      try {
        rec = JSON.parse(text.replace(/^\uFEFF/, ""));
      } catch (e) {
        refuse("打不开：" + file.name + " 不是本手册保存的记录（不是 JSON 文件）。");
        return;
      }
      if (Array.isArray(rec) && rec.length === 1) { rec = rec[0]; }
      if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
        refuse("打不开：" + file.name + " 里不是一份记录。一个文件里有多份记录的，请用 wugu records check 检查。");
        return;
      }
      if (rec.form !== code) {
        refuse("打不开：这份记录是" + (rec.form ? "表格 " + rec.form : "别的表格") + "的，本页是 " + code
          + "。请到那张表格的“在电脑上填写”页面打开。");
        return;
      }
      fill(rec);
      showAll = true;
      touched = {};
      dirty = false;
      check();
      say("已打开 " + file.name + (rec.version !== version ? "。注意：这份记录是 " + rec.version + " 版表格填的，本页是 "
        + version + " 版，请核对后再保存（保存时按本页的版本）" : ""));
    };
    reader.onerror = function () { refuse("读不了这个文件：" + file.name); };
    reader.readAsArrayBuffer(file);
  }

  function clearAll() {
    if (!window.confirm("清空这张表上填的全部内容？清空后不能恢复（已保存的文件不受影响）。")) { return; }
    fill({});
    touched = {};
    showAll = false;
    dirty = false;
    check();
    say("已清空");
    var first = form.querySelector(".wg-fill__ctl");
    if (first) { first.focus(); }
  }

  root.querySelector(".wg-fill__bar").addEventListener("click", function (ev) {
    var act = ev.target.getAttribute && ev.target.getAttribute("data-act");
    if (act === "save") { save(); }
    if (act === "open") { fileInput.click(); }
    if (act === "print") { showAll = true; check(); mirrorAll(); window.print(); }
    if (act === "clear") { clearAll(); }
  });
  fileInput.addEventListener("change", function () {
    if (!fileInput.files || !fileInput.files.length) { return; }
    if (dirty && !window.confirm("页面上填的内容还没保存，打开别的记录会替换它们。继续吗？")) {
      fileInput.value = "";
      return;
    }
    open(fileInput.files[0]);
    fileInput.value = "";
  });
  window.addEventListener("beforeprint", mirrorAll);
  window.addEventListener("beforeunload", function (ev) {
    if (!dirty) { return undefined; }
    ev.preventDefault();
    ev.returnValue = "";       /* the browser asks: 离开此网站？系统可能不会保存您所做的更改 */
    return "";
  });

  /* For tests and for people who script the page: the record as it stands, and loading one. */
  window.WuguFill = { collect: collect, fill: fill, check: check, problems: function () { return problems(collect()); } };

  fill({});
  root.classList.add("wg-fill--ready");
})();
