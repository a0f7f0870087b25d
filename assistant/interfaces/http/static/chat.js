/* The trial assistant's web chat: asks POST <base>v1/ask and shows each reply.
 *
 * Used by the page at / (mounted on [data-trial-chat]) and by widget.js (window.TrialAssistantChat.mount).
 * Safe by construction: every piece of text from a reply or from the user is inserted with textContent or as
 * a text node, never parsed as markup; the only link built from a reply is https://doi.org/<DOI>.
 * Stateless server: the chat carries the conversation `context` itself and sends it with the next question.
 * Plain JavaScript, no dependencies, no build step, no third-party requests.
 */
(function () {
  "use strict";
  if (window.TrialAssistantChat) {
    return;
  }
  var script = document.currentScript;
  var BASE = new URL(".", script && script.src ? script.src : window.location.href).href;
  var TIMEOUT_MS = 20000;
  var MAX_CHARS = 2000;
  var STATUS = {
    answered: "Answered", clarify: "Needs clarification", no_data: "Not reported", out_of_scope: "Out of scope",
    medical_advice: "Not medical advice", chitchat: "Chit-chat", invalid_input: "Invalid input"
  };
  var ROLES = { term: "understood", frame: "frame word", number: "number", unplaced: "NOT PLACED", foreign: "FOREIGN" };
  var STARTERS = ["What was the 2-year progression-free survival?", "What were the side effects?",
                  "What dose of inotuzumab ozogamicin was given?"];
  var DOI = /(?:doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/[^\s"<>]+)/i;
  var counter = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function button(cls, text, onClick) {
    var b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function str(x) {
    return typeof x === "string" ? x : (x === undefined || x === null ? "" : String(x));
  }

  function list(x) {
    return Array.isArray(x) ? x : [];
  }

  function statusName(status) {
    return Object.prototype.hasOwnProperty.call(STATUS, status) ? status : "other";
  }

  // ------------------------------------------------------------ one reply

  function answerText(a, parent) {
    var lines = str(a.answer).split("\n").filter(function (ln) {
      return ln.trim() && ln.indexOf("Caveat:") !== 0;  // caveats are shown apart, from a.caveats
    });
    if (list(a.table).length) {
      lines = lines.slice(0, 1);  // the rows follow as a table
    }
    var cut = lines.length ? lines[0].indexOf(" Did you mean:") : -1;
    if (a.status === "clarify" && list(a.suggestions).length && cut > 0) {
      lines[0] = lines[0].slice(0, cut);  // the options follow as buttons
    }
    var ul = null;
    lines.forEach(function (ln) {
      if (ln.indexOf("- ") === 0) {
        if (!ul) {
          ul = parent.appendChild(el("ul", "tac-list"));
        }
        ul.appendChild(el("li", null, ln.slice(2)));
      } else {
        ul = null;
        parent.appendChild(el("p", "tac-text", ln));
      }
    });
  }

  function barScale(rows) {
    var top = {};
    rows.forEach(function (r) {
      if (typeof r.number === "number" && r.number > 0 && r.unit !== "%") {
        top[r.unit] = Math.max(top[r.unit] || 0, r.number);
      }
    });
    return function (r) {
      if (typeof r.number !== "number" || !str(r.value)) {
        return null;
      }
      var max = r.unit === "%" ? 100 : top[r.unit];
      return max ? Math.max(0, Math.min(100, (r.number / max) * 100)) : null;
    };
  }

  function table(rows) {
    var wrap = el("div", "tac-table-wrap");
    var t = wrap.appendChild(el("table", "tac-table"));
    var hasCi = rows.some(function (r) { return str(r.ci); });
    var hasP = rows.some(function (r) { return str(r.p) && str(r.value); });
    var heads = ["", "Value"].concat(hasCi ? ["95% CI"] : [], hasP ? ["P"] : []);
    var hr = t.appendChild(el("thead")).appendChild(el("tr"));
    heads.forEach(function (h, i) {
      var th = hr.appendChild(el("th", null, h));
      th.scope = "col";
      if (i === 0) {
        th.appendChild(el("span", "tac-sr", "Item"));
      }
    });
    var scale = barScale(rows);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (r) {
      var tr = body.appendChild(el("tr"));
      var th = tr.appendChild(el("th", null, r.label));
      th.scope = "row";
      if (!str(r.value)) {  // a row without a figure: its sentence
        tr.appendChild(el("td", "tac-statement", r.text || "")).colSpan = heads.length - 1;
        return;
      }
      var td = tr.appendChild(el("td", "tac-value"));
      td.appendChild(el("span", "tac-num", r.value));
      var pct = scale(r);
      if (pct !== null) {
        var track = td.appendChild(el("span", "tac-bar"));
        track.setAttribute("aria-hidden", "true");
        track.appendChild(el("span", "tac-fill")).style.width = pct.toFixed(1) + "%";  // CSSOM: allowed by the CSP
      }
      if (hasCi) {
        tr.appendChild(el("td", "tac-ci", r.ci)).setAttribute("data-label", str(r.ci) ? "95% CI" : "");
      }
      if (hasP) {
        tr.appendChild(el("td", "tac-p", r.p)).setAttribute("data-label", str(r.p) ? "P =" : "");
      }
    });
    return wrap;
  }

  function caveats(items) {
    var box = el("aside", "tac-caveats");
    box.appendChild(el("p", "tac-caveat-title", items.length === 1 ? "Caveat" : "Caveats"));
    var ul = box.appendChild(el("ul"));
    items.forEach(function (c) { ul.appendChild(el("li", null, c)); });
    return box;
  }

  function reference(text, locator) {
    var p = el("p", "tac-ref");
    var m = DOI.exec(text);
    if (m) {
      var doi = m[1].replace(/[.,;]+$/, "");
      var start = m.index;
      p.appendChild(document.createTextNode(text.slice(0, start)));
      var a = p.appendChild(el("a", "tac-doi", "doi:" + doi));
      a.href = "https://doi.org/" + encodeURI(doi);
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      p.appendChild(document.createTextNode(text.slice(start + m[0].length - (m[1].length - doi.length))));
    } else {
      p.appendChild(document.createTextNode(text));
    }
    if (locator) {
      p.appendChild(document.createTextNode(" — " + locator));
    }
    return p;
  }

  function sources(cits) {
    var d = el("details", "tac-source");
    d.appendChild(el("summary", null, cits.length === 1 ? "Source" : "Sources (" + cits.length + ")"));
    var groups = [];
    var byKey = {};
    cits.forEach(function (c) {
      var key = str(c.reference) + "\u0000" + str(c.locator);
      if (!byKey[key]) {
        byKey[key] = { reference: str(c.reference), locator: str(c.locator), quotes: [] };
        groups.push(byKey[key]);
      }
      byKey[key].quotes.push(str(c.quote));
    });
    groups.forEach(function (g) {
      var fig = d.appendChild(el("figure", "tac-cite"));
      g.quotes.forEach(function (q) { fig.appendChild(el("blockquote", "tac-quote", "\u201c" + q + "\u201d")); });
      fig.appendChild(el("figcaption")).appendChild(reference(g.reference, g.locator));
    });
    return d;
  }

  function words(e) {
    return list(e.words).map(function (w) {
      var word = str(w.written) || str(w.text);
      if (w.role === "frame" && !w.detail) {
        return word;
      }
      var what = w.role === "term" ? str(w.detail) : (ROLES[w.role] || str(w.role)) + (w.detail ? ": " + w.detail : "");
      return word + " [" + what + "]";
    }).join(" ");
  }

  function explain(a) {
    var e = a.explain;
    if (!e || typeof e !== "object") {
      return null;
    }
    var d = el("details", "tac-why");
    d.appendChild(el("summary", null, "Why this answer?"));
    var dl = d.appendChild(el("dl"));
    function row(term, value) {
      if (value) {
        dl.appendChild(el("dt", null, term));
        dl.appendChild(el("dd", null, value));
      }
    }
    var conf = typeof a.confidence === "number" ? "; confidence " + a.confidence.toFixed(2) : "";
    row("Status", (STATUS[a.status] || str(a.status)) + (a.intent ? "; intent " + a.intent : "") + conf);
    if (e.rule) {
      row("Rule", e.rule + " (score " + Number(e.score || 0).toFixed(2) + ")" +
          (e.runner_up ? "; runner-up " + e.runner_up + " (" + Number(e.runner_up_score || 0).toFixed(2) + ")" : ""));
    }
    row("Read as", str(e.normalised));
    row("Understood", list(e.slots).map(function (s) {
      return s.slot + " = " + s.value + " (from the " + s.source + (s.text ? ': \u201c' + s.text + '\u201d' : "") + ")";
    }).join("; "));
    row("Words", words(e));
    row("Why this status", str(e.reason));
    row("Note", str(e.note));
    return d;
  }

  // ------------------------------------------------------------ the chat

  function Chat(root, options) {
    this.options = options || {};
    this.api = new URL("v1/ask", this.options.base || BASE).href;
    this.context = null;
    this.busy = false;
    this.id = "tac" + (++counter);
    this.build(root);
    this.intro();
  }

  Chat.prototype.build = function (root) {
    var self = this;
    root.classList.add("tac");
    root.lang = "en";
    var head = root.appendChild(el("div", "tac-head"));
    var title = head.appendChild(el(this.options.heading || "h1", "tac-title", "Trial assistant"));
    title.id = this.id + "-title";
    head.appendChild(button("tac-reset", "New chat", function () { self.reset(); }));
    if (this.options.onClose) {
      var close = head.appendChild(button("tac-close", "Close", this.options.onClose));
      close.setAttribute("aria-label", "Close the chat");
    }
    this.log = root.appendChild(el("div", "tac-log"));
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-relevant", "additions");
    this.log.setAttribute("aria-labelledby", title.id);
    this.log.tabIndex = 0;  // a scrolling region is reachable by keyboard
    this.error = root.appendChild(el("p", "tac-error"));
    this.error.setAttribute("role", "alert");
    this.error.hidden = true;
    this.form = root.appendChild(el("form", "tac-form"));
    this.form.noValidate = true;
    var label = this.form.appendChild(el("label", "tac-label", "Your question"));
    label.htmlFor = this.id + "-q";
    var row = this.form.appendChild(el("div", "tac-row"));
    this.box = row.appendChild(el("textarea", "tac-box"));
    this.box.id = this.id + "-q";
    this.box.name = "question";
    this.box.rows = 2;
    this.box.maxLength = MAX_CHARS;
    this.box.setAttribute("aria-describedby", this.id + "-hint");
    this.box.autocomplete = "off";
    this.send = row.appendChild(el("button", "tac-send", "Send"));
    this.send.type = "submit";
    var hint = this.form.appendChild(el("p", "tac-hint",
      "Enter sends, Shift+Enter starts a new line. Answers quote one published trial report; not medical advice."));
    hint.id = this.id + "-hint";
    this.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      self.submit();
    });
    this.box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
        ev.preventDefault();
        self.submit();
      }
    });
  };

  Chat.prototype.intro = function () {
    var msg = this.log.appendChild(el("div", "tac-msg tac-bot tac-intro"));
    msg.appendChild(el("p", "tac-text", "Ask about the trial: its design, dosing, survival, response, side effects " +
                       "or subgroups. Each answer quotes its source."));
    msg.appendChild(this.choices("Try", STARTERS));
  };

  Chat.prototype.choices = function (title, questions) {
    var self = this;
    var group = el("div", "tac-choices");
    group.setAttribute("role", "group");
    var name = group.appendChild(el("p", "tac-choices-title", title));
    name.id = this.id + "-g" + (++counter);
    group.setAttribute("aria-labelledby", name.id);
    questions.forEach(function (q) {
      group.appendChild(button("tac-choice", q, function () {
        self.ask(str(q));
        self.box.focus();
      }));
    });
    return group;
  };

  Chat.prototype.render = function (a) {
    var status = statusName(a.status);
    var msg = el("article", "tac-msg tac-bot tac-s-" + status);
    var top = msg.appendChild(el("p", "tac-meta"));
    top.appendChild(el("span", "tac-badge", STATUS[a.status] || str(a.status) || "Reply"));
    answerText(a, msg);
    var rows = list(a.table).filter(function (r) { return r && typeof r === "object"; });
    if (rows.length) {
      msg.appendChild(table(rows));
    }
    var cav = list(a.caveats).map(str).filter(Boolean);
    if (cav.length) {
      msg.appendChild(caveats(cav));
    }
    var cits = list(a.citations).filter(function (c) { return c && typeof c === "object"; });
    if (cits.length) {
      msg.appendChild(sources(cits));
    }
    var sugg = list(a.suggestions).map(str).filter(Boolean);
    if (sugg.length) {
      msg.appendChild(this.choices(status === "clarify" ? "Did you mean" : "Related questions", sugg));
    }
    var why = explain(a);
    if (why) {
      msg.appendChild(why);
    }
    return msg;
  };

  Chat.prototype.add = function (node) {
    this.log.appendChild(node);
    this.log.scrollTop = Math.max(0, node.offsetTop - this.log.offsetTop - 8);  // the start of the new turn
    return node;
  };

  Chat.prototype.showError = function (text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  };

  Chat.prototype.submit = function () {
    var q = this.box.value;
    if (!q.trim() || this.busy) {
      return;
    }
    this.box.value = "";
    this.ask(q);
  };

  Chat.prototype.ask = function (question) {
    if (this.busy) {
      return;
    }
    var self = this;
    this.showError("");
    var mine = this.add(el("div", "tac-msg tac-user"));
    mine.appendChild(el("span", "tac-sr", "You: "));
    mine.appendChild(el("p", "tac-text", question));
    var wait = this.add(el("div", "tac-msg tac-bot tac-pending"));
    wait.appendChild(el("span", "tac-dots")).setAttribute("aria-hidden", "true");
    wait.appendChild(el("span", "tac-sr", "Waiting for the answer"));
    this.setBusy(true);
    var body = { question: question };
    if (this.context) {
      body.context = this.context;
    }
    this.post(body).then(function (a) {
      wait.remove();
      self.context = a.context && typeof a.context === "object" ? a.context : null;
      self.add(self.render(a));
    }, function (err) {
      wait.remove();
      mine.remove();
      if (!self.box.value) {
        self.box.value = question;  // Send tries again
      }
      if (err.code === "invalid_context") {
        self.context = null;
      }
      self.showError(err.message);
    }).then(function () {
      self.setBusy(false);
    });
  };

  Chat.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.log.setAttribute("aria-busy", busy ? "true" : "false");
    this.send.setAttribute("aria-disabled", busy ? "true" : "false");
  };

  Chat.prototype.post = function (body) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, TIMEOUT_MS) : null;
    return fetch(this.api, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer", signal: ctl ? ctl.signal : undefined
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (r.ok && data && typeof data === "object" && !Array.isArray(data)) {
          return data;
        }
        throw failure(r.status, data);
      });
    }, function (e) {
      var late = e && e.name === "AbortError";
      throw { code: late ? "timeout" : "unreachable", message: late ?
        "The assistant did not answer in time. Please try again." :
        "Cannot reach the assistant: the server is unreachable. Check the connection and try again." };
    }).finally(function () {
      clearTimeout(timer);
    });
  };

  function failure(status, data) {
    var code = data && typeof data.error === "string" ? data.error : "";
    var detail = data && typeof data.message === "string" ? data.message : "";
    var text = {
      401: "This server needs a token, which the web chat cannot send. Ask its administrator.",
      408: "The question took too long to arrive. Please try again.",
      429: "The assistant is busy. Please try again in a moment.",
      503: "The assistant is busy. Please try again in a moment."
    }[status];
    if (code === "invalid_context") {
      text = "The conversation could not be continued (the server may have been updated). Please ask your " +
             "question in full.";
    }
    if (!text) {
      text = status >= 500 ? "The assistant had a problem (" + (detail || "HTTP " + status) + ")." :
        "The question was not accepted: " + (detail || "HTTP " + status) + ".";
    }
    return { code: code || "http_" + status, message: text };
  }

  Chat.prototype.reset = function () {
    this.context = null;
    this.showError("");
    while (this.log.firstChild) {
      this.log.removeChild(this.log.firstChild);
    }
    this.intro();
    this.box.value = "";
    this.box.focus();
  };

  Chat.prototype.focus = function () {
    this.box.focus();
  };

  window.TrialAssistantChat = {
    mount: function (root, options) {
      return new Chat(root, options);
    }
  };

  function auto() {
    var root = document.querySelector("[data-trial-chat]");
    if (root && !root.classList.contains("tac")) {
      window.TrialAssistantChat.mount(root, {});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", auto);
  } else {
    auto();
  }
}());
