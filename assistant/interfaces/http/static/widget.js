/* The trial assistant as a chat button and panel on another site's page:
 *
 *   <script src="https://assistant.example.org/widget.js" defer></script>
 *
 * (the server started with --cors-origin https://that.site). The server's address is read from this script's own
 * src; the button, the panel and the chat (chat.js, loaded from the same server) live in a shadow root with the
 * server's own stylesheets, so the page's styles do not reach them and theirs do not leak out. The DOM is built
 * with createElement and textContent only; no inline script or style, so a strict host CSP that allows this
 * server in script-src, style-src and connect-src is enough. Optional: data-label="..." for the button's text.
 */
(function () {
  "use strict";
  if (window.TrialAssistantWidget) {
    return;
  }
  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var base = new URL(".", script.src).href;
  var label = script.getAttribute("data-label") || "Ask about the trial";
  var state = { chat: null, panel: null, open: null };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function toggle(show, refocus) {
    if (!state.panel) {
      return;
    }
    state.panel.hidden = !show;
    state.open.setAttribute("aria-expanded", show ? "true" : "false");
    if (show && state.chat) {
      state.chat.focus();
    } else if (!show && refocus) {
      state.open.focus();
    }
  }

  function stylesheet(root, name, done) {
    var link = el("link");
    link.rel = "stylesheet";
    link.href = base + name;
    link.addEventListener("load", done);
    link.addEventListener("error", done);
    root.appendChild(link);
  }

  function mountChat(where, loading) {
    if (!window.TrialAssistantChat) {
      return false;
    }
    loading.remove();
    state.chat = window.TrialAssistantChat.mount(where, {
      base: base, heading: "h2", onClose: function () { toggle(false, true); }
    });
    if (!state.panel.hidden) {
      state.chat.focus();
    }
    return true;
  }

  function loadChat(where) {
    var loading = where.appendChild(el("p", "taw-loading", "Loading the chat\u2026"));
    if (mountChat(where, loading)) {
      return;
    }
    var s = el("script");
    s.src = base + "chat.js";
    s.async = true;
    s.addEventListener("load", function () { mountChat(where, loading); });
    s.addEventListener("error", function () {
      loading.textContent = "Cannot reach the assistant: the server is unreachable. Please try again later.";
      loading.setAttribute("role", "alert");
    });
    document.head.appendChild(s);
  }

  function start() {
    var host = el("div");
    host.setAttribute("data-trial-assistant", "");
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var frame = el("div", "taw");
    frame.lang = "en";
    frame.hidden = true;  // shown once its stylesheets have arrived (no flash of an unstyled button)
    var pending = 2;
    function styled() {
      pending -= 1;
      if (pending === 0) {
        frame.hidden = false;
      }
    }
    stylesheet(root, "chat.css", styled);
    stylesheet(root, "widget.css", styled);
    var panel = frame.appendChild(el("div", "taw-panel"));
    panel.id = "trial-assistant-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Trial assistant chat");
    panel.hidden = true;
    var open = frame.appendChild(el("button", "taw-open", label));
    open.type = "button";
    open.setAttribute("aria-expanded", "false");
    open.setAttribute("aria-controls", panel.id);
    state.panel = panel;
    state.open = open;
    open.addEventListener("click", function () { toggle(panel.hidden, true); });
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") {
        ev.stopPropagation();
        toggle(false, true);
      }
    });
    var where = panel.appendChild(el("div", "taw-chat"));
    root.appendChild(frame);
    document.body.appendChild(host);
    loadChat(where);
  }

  window.TrialAssistantWidget = {
    open: function () { toggle(true); },
    close: function () { toggle(false); }
  };
  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
}());
