/* wugu self-test: questions from window.WUGU_SELFTEST (selftest-data.js), answered in the page.
 * A classic script (works from file://). Nothing is stored (no cookies, no localStorage) and nothing is sent.
 * Every text from the data is set with textContent, never as HTML. */
(function () {
  "use strict";
  var bank = window.WUGU_SELFTEST;
  var root = document.getElementById("wg-selftest");
  if (!bank || !root) { return; }
  var state = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function button(text, cls, onclick) {
    var b = el("button", "md-button " + (cls || ""), text);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }

  function shuffled(list) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  function clear() { while (root.firstChild) { root.removeChild(root.firstChild); } }

  function start(questions, title) {
    state = { questions: questions, title: title, index: 0, right: 0, wrong: [] };
    show();
  }

  function menu() {
    clear();
    state = null;
    var box = el("div", "wg-st-menu");
    box.appendChild(button("随机抽 " + Math.min(bank.draw, bank.questions.length) + " 题", "md-button--primary wg-st-random",
      function () { start(shuffled(bank.questions).slice(0, bank.draw), "随机抽题"); }));
    box.appendChild(el("h2", null, "按部分练习"));
    var list = el("div", "wg-st-sections");
    bank.sections.forEach(function (s) {
      list.appendChild(button(s.title + "（" + s.count + " 题）", "wg-st-section", function () {
        start(bank.questions.filter(function (q) { return q.section === s.id; }), s.title);
      }));
    });
    box.appendChild(list);
    root.appendChild(box);
  }

  function show() {
    clear();
    var q = state.questions[state.index];
    var card = el("form", "wg-st-card");
    card.setAttribute("novalidate", "");
    card.appendChild(el("p", "wg-st-progress", state.title + "　第 " + (state.index + 1) + " / " + state.questions.length +
      " 题　" + q.kind + (q.redLine ? "　▲红线" : "")));
    if (q.situation) { card.appendChild(el("p", "wg-st-situation", q.situation)); }
    var set = el("fieldset", "wg-st-options");
    set.appendChild(el("legend", "wg-st-stem", q.stem + (q.multiple ? "（多选）" : "")));
    var name = "wg-st-" + q.id;
    q.options.forEach(function (text, i) {
      var label = el("label", "wg-st-option");
      var input = document.createElement("input");
      input.type = q.multiple ? "checkbox" : "radio";
      input.name = name;
      input.value = String(i);
      label.appendChild(input);
      label.appendChild(el("span", "wg-st-letter", q.truefalse ? "" : bank.letters[i] + "．"));
      label.appendChild(el("span", null, text));
      set.appendChild(label);
    });
    card.appendChild(set);
    var feedback = el("div", "wg-st-feedback");
    feedback.setAttribute("aria-live", "polite");
    card.appendChild(feedback);
    var submit = button("提交答案", "md-button--primary wg-st-submit", function () { check(card, q, feedback, submit); });
    card.appendChild(submit);
    card.addEventListener("submit", function (e) { e.preventDefault(); });
    root.appendChild(card);
  }

  function check(card, q, feedback, submit) {
    var chosen = [];
    card.querySelectorAll("input").forEach(function (input) { if (input.checked) { chosen.push(Number(input.value)); } });
    if (!chosen.length) {
      feedback.textContent = "请先选择答案。";
      return;
    }
    var ok = chosen.length === q.answer.length && q.answer.every(function (a) { return chosen.indexOf(a) >= 0; });
    if (ok) { state.right += 1; } else { state.wrong.push(q); }
    card.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
    card.querySelectorAll(".wg-st-option").forEach(function (label, i) {
      if (q.answer.indexOf(i) >= 0) { label.classList.add("wg-st-right-option"); }
      else if (chosen.indexOf(i) >= 0) { label.classList.add("wg-st-wrong-option"); }
    });
    while (feedback.firstChild) { feedback.removeChild(feedback.firstChild); }
    var answer = q.answer.map(function (i) { return q.truefalse ? q.options[i] : bank.letters[i]; }).join("");
    feedback.className = "wg-st-feedback " + (ok ? "wg-st-right" : "wg-st-wrong");
    feedback.appendChild(el("p", "wg-st-verdict", ok ? "✓ 答对了" : "✗ 答错了，正确答案是 " + answer));
    feedback.appendChild(el("p", "wg-st-explain", q.explain));
    feedback.appendChild(refs(q));
    submit.remove();
    var last = state.index + 1 >= state.questions.length;
    var next = button(last ? "看得分" : "下一题", "md-button--primary wg-st-next", function () {
      state.index += 1;
      if (last) { score(); } else { show(); }
    });
    card.appendChild(next);
    next.focus();
  }

  function refs(q) {
    var p = el("p", "wg-st-refs", "依据：");
    q.refs.forEach(function (r, i) {
      if (i) { p.appendChild(document.createTextNode("；")); }
      var a = el("a", null, r.label);
      a.href = r.href;
      p.appendChild(a);
    });
    return p;
  }

  function score() {
    clear();
    var total = state.questions.length;
    var box = el("div", "wg-st-score");
    box.appendChild(el("p", "wg-st-total", "答对 " + state.right + " / " + total + " 题，得分 " +
      Math.round(state.right * 100 / total) + " 分"));
    if (state.wrong.length) {
      box.appendChild(el("h2", null, "答错的题，回去再读一读"));
      var list = el("ol", "wg-st-review");
      state.wrong.forEach(function (q) {
        var li = el("li", null, q.stem + "　");
        li.appendChild(refs(q));
        list.appendChild(li);
      });
      box.appendChild(list);
    } else {
      box.appendChild(el("p", null, "全部答对！"));
    }
    box.appendChild(button("再练一次", "md-button--primary wg-st-again", menu));
    root.appendChild(box);
  }

  menu();
})();
