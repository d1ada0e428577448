/* wugu self-test: questions from window.WUGU_SELFTEST (selftest-data.js), answered in the page.
 * A classic script (works from file://). Nothing is stored (no cookies, no localStorage) and nothing is sent.
 * Each draw shuffles every question's options (true/false stays 对, 错): an input's value is the option's index in
 * the bank, so checking the answer never depends on where the option was shown.
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

  function indices(n) {
    var a = [];
    for (var i = 0; i < n; i++) { a.push(i); }
    return a;
  }

  function start(questions, title) {
    var drawn = questions.map(function (q) {
      return { q: q, order: q.truefalse ? indices(q.options.length) : shuffled(indices(q.options.length)) };
    });
    state = { questions: drawn, title: title, index: 0, right: 0, wrong: [] };
    show();
  }

  /* The right answer as shown in this draw: "B．text" (letters of this draw's order), or 对 / 错. */
  function rightAnswer(item) {
    var q = item.q;
    var shown = [];
    item.order.forEach(function (bankIndex, pos) {
      if (q.answer.indexOf(bankIndex) >= 0) {
        shown.push(q.truefalse ? q.options[bankIndex] : bank.letters[pos] + "．" + q.options[bankIndex]);
      }
    });
    return shown;
  }

  /* A random draw made like an exam paper of bank.draw questions: so many of each type, so many of them red-line
   * questions (bank.plan, from wugu.exam.mix), each pick from the section used least so far; in the paper's order
   * of types. A bank too small for the plan is topped up at random. */
  function draw() {
    var pool = shuffled(bank.questions);
    var used = {};
    var chosen = [];
    function take(filter, n) {
      for (var k = 0; k < n; k++) {
        var best = -1;
        for (var i = 0; i < pool.length; i++) {
          if (!filter(pool[i])) { continue; }
          if (best < 0 || (used[pool[i].section] || 0) < (used[pool[best].section] || 0)) { best = i; }
        }
        if (best < 0) { return; }
        var q = pool.splice(best, 1)[0];
        used[q.section] = (used[q.section] || 0) + 1;
        chosen.push(q);
      }
    }
    (bank.plan || []).forEach(function (p) {
      take(function (q) { return q.type === p.type && q.redLine; }, p.reds);
      take(function (q) { return q.type === p.type && !q.redLine; }, p.count - p.reds);
    });
    take(function () { return true; }, Math.min(bank.draw, bank.questions.length) - chosen.length);
    return chosen;
  }

  function menu() {
    clear();
    state = null;
    var box = el("div", "wg-st-menu");
    box.appendChild(button("随机抽 " + Math.min(bank.draw, bank.questions.length) + " 题", "md-button--primary wg-st-random",
      function () { start(draw(), "随机抽题"); }));
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
    var item = state.questions[state.index];
    var q = item.q;
    var card = el("form", "wg-st-card");
    card.setAttribute("novalidate", "");
    card.appendChild(el("p", "wg-st-progress", state.title + "　第 " + (state.index + 1) + " / " + state.questions.length +
      " 题　" + q.kind + (q.redLine ? "　▲红线" : "")));
    if (q.situation) { card.appendChild(el("p", "wg-st-situation", q.situation)); }
    var set = el("fieldset", "wg-st-options");
    set.appendChild(el("legend", "wg-st-stem", q.stem + (q.multiple ? "（多选）" : "")));
    var name = "wg-st-" + q.id;
    item.order.forEach(function (bankIndex, pos) {
      var label = el("label", "wg-st-option");
      var input = document.createElement("input");
      input.type = q.multiple ? "checkbox" : "radio";
      input.name = name;
      input.value = String(bankIndex);
      label.appendChild(input);
      label.appendChild(el("span", "wg-st-letter", q.truefalse ? "" : bank.letters[pos] + "．"));
      label.appendChild(el("span", null, q.options[bankIndex]));
      set.appendChild(label);
    });
    card.appendChild(set);
    var feedback = el("div", "wg-st-feedback");
    feedback.setAttribute("aria-live", "polite");
    card.appendChild(feedback);
    var submit = button("提交答案", "md-button--primary wg-st-submit", function () { check(card, item, feedback, submit); });
    card.appendChild(submit);
    card.addEventListener("submit", function (e) { e.preventDefault(); });
    root.appendChild(card);
  }

  function check(card, item, feedback, submit) {
    var q = item.q;
    var chosen = [];
    card.querySelectorAll("input").forEach(function (input) { if (input.checked) { chosen.push(Number(input.value)); } });
    if (!chosen.length) {
      feedback.textContent = "请先选择答案。";
      return;
    }
    var ok = chosen.length === q.answer.length && q.answer.every(function (a) { return chosen.indexOf(a) >= 0; });
    if (ok) { state.right += 1; } else { state.wrong.push({ item: item, chosen: chosen }); }
    card.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
    card.querySelectorAll(".wg-st-option").forEach(function (label, pos) {
      var bankIndex = item.order[pos];
      if (q.answer.indexOf(bankIndex) >= 0) { label.classList.add("wg-st-right-option"); }
      else if (chosen.indexOf(bankIndex) >= 0) { label.classList.add("wg-st-wrong-option"); }
    });
    while (feedback.firstChild) { feedback.removeChild(feedback.firstChild); }
    var answer = rightAnswer(item).map(function (a) { return q.truefalse ? a : a.charAt(0); }).join("");
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

  /* What was chosen, as shown in this draw ("A．text" or 对 / 错). */
  function chosenAnswer(item, chosen) {
    var q = item.q;
    var shown = [];
    item.order.forEach(function (bankIndex, pos) {
      if (chosen.indexOf(bankIndex) >= 0) {
        shown.push(q.truefalse ? q.options[bankIndex] : bank.letters[pos] + "．" + q.options[bankIndex]);
      }
    });
    return shown;
  }

  function score() {
    clear();
    var total = state.questions.length;
    var points = Math.round(state.right * 100 / total);
    var redWrong = state.wrong.filter(function (w) { return w.item.q.redLine; }).length;
    var passed = points >= bank.passMark && redWrong === 0;
    var box = el("div", "wg-st-score");
    box.appendChild(el("p", "wg-st-total", "答对 " + state.right + " / " + total + " 题，得分 " + points + " 分"));
    box.appendChild(el("p", "wg-st-passline", "考试合格标准：" + bank.passRule + "。"));
    box.appendChild(el("p", "wg-st-result " + (passed ? "wg-st-pass" : "wg-st-fail"), passed ?
      "按这个标准，这次练习达到了合格线。" :
      "按这个标准，这次练习没有达到合格线" + (redWrong ? "（答错了 " + redWrong + " 道红线题）" : "") + "。"));
    if (state.wrong.length) {
      box.appendChild(el("h2", null, "答错的题和正确答案，回去再读一读"));
      var list = el("ol", "wg-st-review");
      state.wrong.forEach(function (w) {
        var q = w.item.q;
        var li = el("li", null);
        li.appendChild(el("p", "wg-st-review-stem", (q.redLine ? "▲ " : "") + (q.situation ? q.situation + " " : "") + q.stem));
        li.appendChild(el("p", "wg-st-review-mine", "你的答案：" + chosenAnswer(w.item, w.chosen).join("；")));
        li.appendChild(el("p", "wg-st-review-right", "正确答案：" + rightAnswer(w.item).join("；")));
        li.appendChild(el("p", "wg-st-explain", q.explain));
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
