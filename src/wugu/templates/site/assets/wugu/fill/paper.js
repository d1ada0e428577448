/* The fill page's printed paper: the PDF form's own HTML (wugu.render.fill.paper_html), so a printout has the PDF's
 * pages and page breaks. Nothing filled in: the blank form, as the downloadable PDF. Anything filled in: the layout
 * of `wugu records pdf`, each value put in its writing space exactly as wugu/templates/pdf/filled.html.j2 prints it
 * (and wugu.records.pdf.display_values words it). Updated before every print; nothing leaves the page. */
(function () {
  "use strict";
  var paper = document.querySelector(".wg-paper");
  if (!paper || !window.WuguFill) { return; }
  document.body.appendChild(paper);  // out of the page's typography: the PDF's stylesheet alone applies
  var sheets = paper.querySelectorAll(".wgp-sheet");
  var blankSheet = sheets[0], sheet = sheets[1];
  var INK = "font-family: var(--sans); font-size: 10.5pt";
  var slots = Array.prototype.slice.call(sheet.querySelectorAll(".wgp"));
  var original = slots.map(function (el) { return el.innerHTML; });
  var tables = Array.prototype.slice.call(sheet.querySelectorAll("tbody[data-table]"));
  var tableRows = tables.map(function (el) { return el.innerHTML; });

  /* wugu/render/fit.py in JavaScript: the size a filled value is set in to fit its cell (records pdf does the same). */
  var SIZES = [10.5, 10.0, 9.5, 9.0, 8.5, 8.0], PT_MM = 25.4 / 72;
  var NARROW = { " ": 0.33, "i": 0.3, "l": 0.3, "j": 0.3, "I": 0.35, ".": 0.3, ",": 0.3, ":": 0.3, ";": 0.3, "|": 0.3,
    "m": 0.9, "w": 0.8, "M": 0.9, "W": 0.95 };
  var WIDE = JSON.parse(paper.getAttribute("data-wide") || "[]");   /* [start, end, em] code point runs: 1 wide, 0 none */
  function charEm(ch) {
    if (Object.prototype.hasOwnProperty.call(NARROW, ch)) { return NARROW[ch]; }
    var cp = ch.codePointAt(0), lo = 0, hi = WIDE.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1, r = WIDE[mid];
      if (cp < r[0]) { hi = mid - 1; } else if (cp > r[1]) { lo = mid + 1; } else { return r[2]; }
    }
    return cp >= 0x20000 && cp <= 0x3FFFD ? 1 : 0.62;
  }
  function textEm(line) { var em = 0; Array.from(line).forEach(function (ch) { em += charEm(ch); }); return em; }
  function linesNeeded(text, size, width) {
    var room = Math.max(width * 0.92, 1);
    return String(text).split("\n").reduce(function (n, line) {
      return n + Math.max(1, Math.ceil(textEm(line) * size * PT_MM / room));
    }, 0);
  }
  function fitSize(text, width, lines) {
    for (var i = 0; i < SIZES.length; i++) { if (linesNeeded(text, SIZES[i], width) <= lines) { return SIZES[i]; } }
    return SIZES[SIZES.length - 1];
  }
  function inkStyle(text, width, lines) {
    var size = fitSize(text, width, lines || 2);
    var style = "font-family: var(--sans); font-size: " + size + "pt";
    return size === SIZES[0] ? style : style + "; line-height: 1.3";
  }
  function longStyle(text, width, ruled) {
    var size = fitSize(text, width, ruled * 3);
    var style = "font-family: var(--sans); font-size: " + size + "pt";
    return size === SIZES[0] ? style : style + "; line-height: 1.35";
  }


  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; });
  }
  function blank(v) { return v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length); }
  function ink(text) { return '<span class="filled" style="' + INK + '">' + esc(text) + "</span>"; }
  function fitted(text, room, lines, inner) {
    return '<span class="filled" style="' + inkStyle(text, room, lines) + '">' + esc(text) + (inner || "") + "</span>";
  }
  function date(v, monthOnly) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
    if (!m) { return String(v); }
    return m[1] + " 年 " + Number(m[2]) + " 月" + (monthOnly ? "" : " " + Number(m[3]) + " 日");
  }
  function count(v) {
    var s = String(v === undefined || v === null ? "" : v).replace(/[＊*]+$/, "").trim();
    return /^\d+$/.test(s) ? Number(s) : null;
  }

  /* One writing space with its value (filled.html.j2's value, sign, signdate and signline_item). */
  function show(el, v) {
    var kind = el.getAttribute("data-t"), room = Number(el.getAttribute("data-room") || 40);
    if (kind === "id" && String(v).length === 18) {
      el.innerHTML = '<span class="idboxes">' + String(v).split("").map(function (ch, i) {
        return "<span" + (i === 5 || i === 13 ? ' class="g"' : "") + ' style="text-align: center; font-family: var(--sans); '
          + 'font-size: 10pt; line-height: 6mm">' + esc(ch) + "</span>";
      }).join("") + "</span>";
    } else if (kind === "id" || kind === "text" || kind === "number" || kind === "date") {
      var text = String(kind === "date" ? date(v, el.hasAttribute("data-m")) : v);
      var unit = el.getAttribute("data-u") || "";
      el.innerHTML = '<span class="filled" style="' + inkStyle(text + unit, room, 3) + '">' + esc(text)
        + (unit ? '<span class="unit inline">' + esc(unit) + "</span>" : "") + "</span>";
    } else if (kind === "longtext") {
      el.innerHTML = '<div class="filled" style="' + longStyle(String(v), room, Number(el.getAttribute("data-l")) || 1)
        + '">' + esc(v) + "</div>";
    } else if (kind === "photo") {
      el.innerHTML = '<div class="photo-box"><div>纸面已贴照片</div></div>';
    } else if (kind === "other") {
      el.innerHTML = "：" + fitted(String(v), room);
      el.parentNode.classList.add("wide");   /* the option (or yes/no detail) wraps inside its cell */
    } else if (kind === "signed") {
      el.innerHTML = ink("（纸面已签）");
    } else if (kind === "date-text") {
      el.innerHTML = ink(date(v, el.hasAttribute("data-m")));
    } else if (kind === "plain") {
      el.innerHTML = fitted(String(v), room);
    } else if (kind === "head-date") {
      el.innerHTML = '<span class="filled" style="font-family: var(--sans)">' + esc(date(v, el.hasAttribute("data-m"))) + "</span>";
    } else {
      el.innerHTML = ink(v);
    }
  }

  /* A table's rows, blank rows up to the paper's, and its 合计 (filled.html.j2's rows). */
  function rows(tbody, list) {
    var cols = tbody.getAttribute("data-cols").split(" "), paperRows = Number(tbody.getAttribute("data-rows"));
    var rooms = (tbody.getAttribute("data-rooms") || "").split(" ").map(Number);
    var total = tbody.hasAttribute("data-total");
    list = (Array.isArray(list) ? list : []).filter(function (r) { return r && typeof r === "object"; });
    var html = list.map(function (row, i) {
      var withTotal = total && list.length - i <= 2 && list.length >= paperRows;
      return "<tr" + (withTotal ? ' class="with-total"' : "") + ">" + cols.map(function (c, k) {
        var text = blank(row[c]) ? "" : String(row[c]);
        return '<td class="filled" style="' + inkStyle(text, rooms[k] || 20) + '">' + esc(text) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    for (var i = list.length; i < paperRows; i++) {
      html += "<tr>" + cols.map(function () { return "<td></td>"; }).join("") + "</tr>";
    }
    if (total) {
      html += '<tr class="total"><td>合计</td>' + cols.slice(1).map(function (c) {
        var nums = list.map(function (r) { return count(r[c]); });
        var any = nums.some(function (n) { return n !== null; });
        var sum = nums.reduce(function (a, n) { return a + (n || 0); }, 0);
        return '<td style="' + INK + '">' + (list.length && any ? sum : "") + "</td>";
      }).join("") + "</tr>";
    }
    tbody.innerHTML = html;
  }

  function update() {
    var rec = window.WuguFill.collect();
    Array.prototype.forEach.call(sheet.querySelectorAll(".wide"), function (el) { el.classList.remove("wide"); });
    var filled = Object.keys(rec).some(function (k) { return k !== "form" && k !== "version" && !blank(rec[k]); });
    blankSheet.hidden = filled;
    sheet.hidden = !filled;
    slots.forEach(function (el, i) {
      var v = rec[el.getAttribute("data-k")];
      if (el.getAttribute("data-t") === "signed" || el.getAttribute("data-t") === "photo") { v = v === true ? v : ""; }
      if (blank(v) || v === false) { el.innerHTML = original[i]; } else { show(el, v); }
    });
    Array.prototype.forEach.call(sheet.querySelectorAll(".box[data-k]"), function (box) {
      var v = rec[box.getAttribute("data-k")], want = box.getAttribute("data-v");
      var on = Array.isArray(v) ? v.indexOf(want) >= 0 : v === true ? want === "true" : v === false ? want === "false" : v === want;
      box.textContent = on ? "■" : "□";
    });
    tables.forEach(function (tbody, i) {
      var list = rec[tbody.getAttribute("data-table")];
      if (Array.isArray(list) && list.length) { rows(tbody, list); } else { tbody.innerHTML = tableRows[i]; }
    });
  }

  window.addEventListener("beforeprint", update);
  window.WuguPaper = { update: update };
})();
