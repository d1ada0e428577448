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

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; });
  }
  function blank(v) { return v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length); }
  function ink(text) { return '<span class="filled" style="' + INK + '">' + esc(text) + "</span>"; }
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
    var kind = el.getAttribute("data-t");
    if (kind === "id" && String(v).length === 18) {
      el.innerHTML = '<span class="idboxes">' + String(v).split("").map(function (ch, i) {
        return "<span" + (i === 5 || i === 13 ? ' class="g"' : "") + ' style="text-align: center; font-family: var(--sans); '
          + 'font-size: 10pt; line-height: 6mm">' + esc(ch) + "</span>";
      }).join("") + "</span>";
    } else if (kind === "id" || kind === "text" || kind === "number" || kind === "date") {
      var text = kind === "date" ? date(v, el.hasAttribute("data-m")) : v;
      var unit = el.getAttribute("data-u");
      el.innerHTML = '<span class="nowrap">' + ink(text) + (unit ? '<span class="unit inline">' + esc(unit) + "</span>" : "") + "</span>";
    } else if (kind === "longtext") {
      el.innerHTML = '<div class="filled" style="' + INK + '">' + esc(v) + "</div>";
    } else if (kind === "photo") {
      el.innerHTML = '<div class="photo-box"><div>纸面已贴照片</div></div>';
    } else if (kind === "other") {
      el.innerHTML = "：" + ink(v);
    } else if (kind === "signed") {
      el.innerHTML = ink("（纸面已签）");
    } else if (kind === "date-text") {
      el.innerHTML = ink(date(v, el.hasAttribute("data-m")));
    } else if (kind === "head-date") {
      el.innerHTML = '<span class="filled" style="font-family: var(--sans)">' + esc(date(v, el.hasAttribute("data-m"))) + "</span>";
    } else {
      el.innerHTML = ink(v);
    }
  }

  /* A table's rows, blank rows up to the paper's, and its 合计 (filled.html.j2's rows). */
  function rows(tbody, list) {
    var cols = tbody.getAttribute("data-cols").split(" "), paperRows = Number(tbody.getAttribute("data-rows"));
    var total = tbody.hasAttribute("data-total");
    list = (Array.isArray(list) ? list : []).filter(function (r) { return r && typeof r === "object"; });
    var html = list.map(function (row, i) {
      var withTotal = total && list.length - i <= 2 && list.length >= paperRows;
      return "<tr" + (withTotal ? ' class="with-total"' : "") + ">" + cols.map(function (c) {
        return '<td style="' + INK + '">' + esc(blank(row[c]) ? "" : row[c]) + "</td>";
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
