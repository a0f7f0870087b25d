"""The web chat in a real browser: Debian's headless Chromium driven by selenium (the system chromedriver, no
Selenium Manager, no browser download) against a real `assistant serve` on a free loopback port.

Covers the page (ask, follow-up, clarify buttons, sources, tables with bars, "Why this answer?", reset, markup
shown as text, keyboard use, contrast, reduced motion, 360 px and 1280 px layouts with screenshots), the widget on
a page of another origin (under that page's own strict CSP), and an unreachable server. Screenshots go to a
folder under pytest's tmp path and to /tmp/webchat-shots/.
"""
from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
selenium = pytest.importorskip("selenium", reason="selenium is in the test extra: pip install '.[test]'")

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from assistant.devtools.loadtest import LocalServer  # noqa: E402

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")
SHOTS = Path("/tmp/webchat-shots")
PFS = "What was the 2-year PFS?"
DOI_URL = "https://doi.org/10.1016/S2352-3026(23)00073-X"
MARKUP = "<img src=x onerror=alert(1)><b>bold</b>"


def _browser() -> tuple[str, str]:
    """Paths of chromium and chromedriver; installed with apt-get when missing and we may (root), else skip."""
    def find() -> tuple[str | None, str | None]:
        return shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")

    chromium, driver = find()
    if chromium and driver:
        return chromium, driver
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium and chromium-driver are not installed and cannot be installed here (not root or no "
                    "apt-get): apt-get install chromium chromium-driver")
    cmd = "apt-get update -q && apt-get install -y -q --no-install-recommends chromium chromium-driver"
    proc = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    chromium, driver = find()
    if not (chromium and driver):
        pytest.skip(f"chromium and chromium-driver could not be installed: {(proc.stderr or proc.stdout)[-300:]}")
    return chromium, driver


class HostPage(http.server.BaseHTTPRequestHandler):
    """A help desk's page on another origin: one <script> tag, its own strict CSP and hostile styles."""

    assistant = ""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path == "/host.css":
            body, kind = b"* { font-family: serif !important; } button { background: red; font-size: 30px; }", "text/css"
        else:
            body = (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Help desk</title>'
                    f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                    f'<link rel="stylesheet" href="/host.css"></head><body><h1>Help desk</h1>'
                    f'<p>Our own page, with our own content.</p><button id="own">Our button</button>'
                    f'<script src="{self.assistant}/widget.js" defer></script></body></html>').encode()
            kind = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Security-Policy", f"default-src 'none'; script-src {self.assistant}; "
                         f"style-src 'self' {self.assistant}; connect-src {self.assistant}; img-src data:")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def host() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HostPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def origin(server: http.server.ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def browser_paths() -> tuple[str, str]:
    return _browser()


@pytest.fixture(scope="module")
def server(host: http.server.ThreadingHTTPServer, browser_paths: tuple[str, str]) -> Iterator[LocalServer]:
    srv = LocalServer(["--no-log", "--cors-origin", origin(host)])
    HostPage.assistant = srv.url
    yield srv
    assert srv.stop() == 0
    assert "Traceback" not in srv.output()


@pytest.fixture(scope="module")
def driver(browser_paths: tuple[str, str]) -> Iterator[Any]:
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths
    profile = tempfile.mkdtemp(prefix="webchat-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        yield d
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Any, str], Path]:
    folder = tmp_path_factory.mktemp("webchat-shots")
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(d: Any, name: str) -> Path:
        time.sleep(0.3)  # past the 160 ms entrance animation
        path = folder / f"{name}.png"
        d.save_screenshot(str(path))
        shutil.copy(path, SHOTS / path.name)
        return path

    return take


# ---------------------------------------------------------------- helpers


def viewport(d: Any, width: int, height: int, dark: bool = False, reduced: bool = False) -> None:
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                              "deviceScaleFactor": 1, "mobile": width < 600})
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": "dark" if dark else "light"},
        {"name": "prefers-reduced-motion", "value": "reduce" if reduced else "no-preference"}]})


def wait(d: Any, cond: Callable[[Any], Any], timeout: float = 15) -> Any:
    return WebDriverWait(d, timeout).until(cond)


def open_page(d: Any, url: str, **view: Any) -> Any:
    viewport(d, view.pop("width", 1280), view.pop("height", 900), **view)
    d.get(url + "/")
    d.get_log("browser")  # start each page with an empty console
    return wait(d, lambda d: d.find_element(By.CSS_SELECTOR, ".tac-box"))


def replies(root: Any) -> list[Any]:
    return root.find_elements(By.CSS_SELECTOR, ".tac-log article.tac-bot")


def ask(d: Any, question: str, root: Any = None) -> Any:
    root = root or d
    before = len(replies(root))
    box = root.find_element(By.CSS_SELECTOR, ".tac-box")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    wait(d, lambda _: len(replies(root)) > before)
    return replies(root)[-1]


def said(d: Any) -> str:
    """The text of the last question shown in the log."""
    return str(d.find_elements(By.CSS_SELECTOR, ".tac-user .tac-text")[-1].text)


def badge(reply: Any) -> str:
    return str(reply.find_element(By.CSS_SELECTOR, ".tac-badge").text)


def console_errors(d: Any) -> list[str]:
    return [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]


def no_horizontal_scroll(d: Any) -> bool:
    return bool(d.execute_script("const e = document.documentElement; return e.scrollWidth <= e.clientWidth"))


# ---------------------------------------------------------------- the page


def test_a_question_is_answered_with_its_status_badge(driver: Any, server: LocalServer) -> None:
    box = open_page(driver, server.url)
    assert driver.execute_script("return document.documentElement.lang") == "en"
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
    assert label.text == "Your question"
    log = driver.find_element(By.CSS_SELECTOR, ".tac-log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    reply = ask(driver, PFS)
    assert badge(reply) == "Answered"
    assert "58.2%" in reply.text
    assert said(driver) == PFS
    assert box.get_attribute("value") == ""
    assert console_errors(driver) == []  # no CSP violation, no failed request


def test_every_status_has_its_badge(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    for question, label in (("What is the weather in Paris?", "Out of scope"), ("hello", "Chit-chat"),
                            ("should my 74 year old mother get this treatment?", "Not medical advice"),
                            ("What was the cost of treatment?", "Not reported"), ("\u200b", "Invalid input")):
        reply = ask(driver, question)
        assert badge(reply) == label, question
        status = {"Out of scope": "out_of_scope", "Chit-chat": "chitchat", "Not medical advice": "medical_advice",
                  "Not reported": "no_data", "Invalid input": "invalid_input"}[label]
        assert f"tac-s-{status}" in reply.get_attribute("class")
    assert console_errors(driver) == []


def test_a_follow_up_carries_the_context(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    ask(driver, PFS)
    follow = ask(driver, "and at 5 years?")
    assert badge(follow) == "Answered"
    assert "44.0" in follow.text


def test_a_clarify_option_is_a_button_that_asks_it(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    reply = ask(driver, "what was the rate?")
    assert badge(reply) == "Needs clarification"
    options = reply.find_elements(By.CSS_SELECTOR, ".tac-choices button")
    assert len(options) >= 2 and all(o.tag_name == "button" for o in options)
    chosen = next(o for o in options if "response rate" in o.text)
    question = chosen.text
    chosen.click()
    wait(driver, lambda d: len(replies(d)) == 2)
    answer = replies(driver)[-1]
    assert badge(answer) == "Answered"
    assert said(driver) == question
    assert driver.switch_to.active_element == driver.find_element(By.CSS_SELECTOR, ".tac-box")


def test_the_source_opens_to_the_verbatim_quote_and_the_doi_link(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    reply = ask(driver, PFS)
    source = reply.find_element(By.CSS_SELECTOR, "details.tac-source")
    quote = source.find_element(By.CSS_SELECTOR, "blockquote")
    assert not quote.is_displayed()  # collapsed until asked for
    summary = source.find_element(By.TAG_NAME, "summary")
    assert summary.text == "Source"
    summary.click()
    assert quote.is_displayed()
    assert "the 2-year progression-free survival (PFS) rate was 58.2% (95% CI, 46.7%-68.2%)" in quote.text
    link = source.find_element(By.CSS_SELECTOR, "a.tac-doi")
    assert link.is_displayed() and link.get_attribute("href") == DOI_URL
    assert link.text == "doi:10.1016/S2352-3026(23)00073-X" and link.get_attribute("rel") == "noopener noreferrer"
    assert "paragraph 4" in source.text and "Lancet Haematol" in source.text


def test_a_table_answer_is_a_table_with_proportional_bars(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    reply = ask(driver, "What were the side effects?")
    rows = reply.find_elements(By.CSS_SELECTOR, "table.tac-table tbody tr")
    assert len(rows) == 16
    widths = driver.execute_script("""
        return Array.from(arguments[0].querySelectorAll('tbody tr')).map(tr => {
          const bar = tr.querySelector('.tac-bar'), fill = tr.querySelector('.tac-fill');
          return [tr.querySelector('th').textContent, tr.querySelector('.tac-num').textContent,
                  fill.getBoundingClientRect().width / bar.getBoundingClientRect().width];
        });""", reply)
    share = {label: (value, ratio) for label, value, ratio in widths}
    assert share["Thrombocytopenia"][0] == "80%" and abs(share["Thrombocytopenia"][1] - 0.80) < 0.02
    assert abs(share["Abdominal pain"][1] - 0.24) < 0.02
    assert reply.find_elements(By.CSS_SELECTOR, ".tac-caveats li")  # caveats set apart
    assert "- Abdominal pain" not in reply.text  # the list became the table
    assert reply.find_element(By.CSS_SELECTOR, "summary").text == "Sources (16)"


def test_why_this_answer_toggles_the_explanation(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    reply = ask(driver, PFS)
    why = reply.find_element(By.CSS_SELECTOR, "details.tac-why")
    summary = why.find_element(By.TAG_NAME, "summary")
    assert summary.text == "Why this answer?" and why.get_attribute("open") is None
    summary.send_keys(Keys.ENTER)  # the keyboard toggles it
    assert why.get_attribute("open") is not None
    text = why.text
    assert "Read as" in text and "what was the 2 year pfs" in text
    assert "every word accounted for" in text and "timepoint = 2y" in text
    summary.send_keys(Keys.SPACE)
    assert why.get_attribute("open") is None


def test_markup_typed_in_the_box_is_shown_as_text_never_rendered(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    ask(driver, MARKUP)
    assert said(driver) == MARKUP
    assert driver.execute_script("return document.querySelectorAll('.tac-log img, .tac-log b').length") == 0
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - no alert() ran


def test_markup_in_a_reply_is_shown_as_text_never_rendered(driver: Any, server: LocalServer) -> None:
    """Whatever a reply holds (a compromised or buggy server), it is inserted as text."""
    open_page(driver, server.url)
    count = driver.execute_script("""
        const bad = '<img src=x onerror=alert(1)><b>b</b><script>alert(2)</' + 'script>';
        const root = document.createElement('div');
        document.body.appendChild(root);
        const chat = TrialAssistantChat.mount(root, {});
        root.querySelector('.tac-log').appendChild(chat.render({
          status: bad, answer: bad + '\\n- ' + bad + '\\nCaveat: hidden', intent: bad, confidence: 0.5,
          citations: [{reference: bad + ' doi:10.1234/' + bad, locator: bad, quote: bad}],
          table: [{label: bad, value: bad, number: 50, unit: '%', ci: bad, p: bad, text: bad}],
          caveats: [bad], suggestions: [bad],
          explain: {rule: bad, slots: [{slot: bad, value: bad, source: bad, text: bad}], normalised: bad,
                    words: [{text: bad, role: 'term', detail: bad}], reason: bad, note: bad}}));
        root.querySelectorAll('details').forEach(d => d.open = true);
        const links = Array.from(root.querySelectorAll('a')).map(a => a.href);
        return [root.querySelectorAll('img, b, script').length, links, root.textContent.split(bad).length - 1];
    """)
    created, links, shown = count
    assert created == 0
    assert all(href.startswith("https://doi.org/10.1234/") for href in links)
    assert shown >= 10
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018


def test_enter_sends_and_shift_enter_is_a_new_line(driver: Any, server: LocalServer) -> None:
    box = open_page(driver, server.url)
    box.send_keys("How common was nausea?")
    box.send_keys(Keys.SHIFT, Keys.ENTER)
    box.send_keys("Thanks")
    assert box.get_attribute("value") == "How common was nausea?\nThanks" and replies(driver) == []
    box.send_keys(Keys.ENTER)
    wait(driver, lambda d: len(replies(d)) == 1)
    assert said(driver) == "How common was nausea?\nThanks"


def test_the_keyboard_reaches_every_control_with_a_visible_focus(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    ask(driver, PFS)
    driver.find_element(By.CSS_SELECTOR, ".tac-title").click()  # Tab starts from the top
    keys = ActionChains(driver)
    seen = []
    for _ in range(22):
        keys.send_keys(Keys.TAB).perform()
        el = driver.switch_to.active_element
        if el.tag_name == "body":
            if seen:
                break  # past the last control
            continue  # the first Tab may only bring the focus into the page
        style = driver.execute_script("const s = getComputedStyle(arguments[0]); "
                                      "return [s.outlineStyle, parseFloat(s.outlineWidth)]", el)
        seen.append((el.tag_name, el.get_attribute("class") or "", el.text[:30]))
        assert style[0] != "none" and style[1] >= 2, seen[-1]
    kinds = {cls.split()[0] if cls else tag for tag, cls, _ in seen}
    assert {"tac-reset", "tac-log", "tac-choice", "summary", "tac-box", "tac-send"} <= kinds, seen
    # a suggestion button works from the keyboard
    choice = next(e for e in replies(driver)[-1].find_elements(By.CSS_SELECTOR, ".tac-choice"))
    choice.send_keys(Keys.ENTER)
    wait(driver, lambda d: len(replies(d)) == 2)


def test_reset_starts_a_new_conversation(driver: Any, server: LocalServer) -> None:
    open_page(driver, server.url)
    ask(driver, PFS)
    driver.find_element(By.CSS_SELECTOR, ".tac-reset").click()
    assert replies(driver) == [] and driver.find_elements(By.CSS_SELECTOR, ".tac-user") == []
    assert driver.find_element(By.CSS_SELECTOR, ".tac-intro").is_displayed()
    assert driver.switch_to.active_element == driver.find_element(By.CSS_SELECTOR, ".tac-box")
    after = ask(driver, "and at 5 years?")  # without the context, no longer a follow-up of the PFS question
    assert "44.0" not in after.text


def test_reduced_motion_turns_off_animation(driver: Any, server: LocalServer) -> None:
    def motion() -> list[str]:
        return list(driver.execute_script("""
            const c = getComputedStyle(document.querySelector('.tac-choice'));
            const m = getComputedStyle(document.querySelector('.tac-msg'));
            return [c.transitionDuration, m.animationName];"""))

    open_page(driver, server.url)
    assert motion() == ["0.12s, 0.12s", "tac-in"]
    open_page(driver, server.url, reduced=True)
    assert motion() == ["0s", "none"]


CONTRAST = """
function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
function lum(c) { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); }
function bg(el) { for (; el && el.nodeType === 1; el = el.parentElement) {
                    const c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0.5) return c; }
                  return {r: 255, g: 255, b: 255, a: 1}; }
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
const bad = [];
for (const el of document.querySelectorAll('.tac *')) {
  const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  const r = el.getBoundingClientRect();
  if (!own || !r.width || el.closest('.tac-sr')) continue;
  const s = getComputedStyle(el);
  const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
  const k = ratio(rgb(s.color), bg(el));
  if (k < (large ? 3 : 4.5)) bad.push(el.className + ' ' + el.tagName + ' ' + el.textContent.slice(0, 30) + ': ' + k.toFixed(2));
}
for (const sel of ['.tac-box', '.tac-choice', '.tac-reset']) {
  const el = document.querySelector(sel), s = getComputedStyle(el);
  const k = ratio(rgb(s.borderTopColor), bg(el.parentElement));
  if (k < 3) bad.push(sel + ' border: ' + k.toFixed(2));
}
return bad;
"""


def _busy_conversation(d: Any) -> None:
    ask(d, "what was the rate?")
    ask(d, "Did PFS differ by age group?")
    last = ask(d, PFS)
    for summary in last.find_elements(By.TAG_NAME, "summary"):
        summary.click()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_text_contrast_is_aa(driver: Any, server: LocalServer, dark: bool) -> None:
    open_page(driver, server.url, dark=dark)
    _busy_conversation(driver)
    driver.find_element(By.CSS_SELECTOR, ".tac-log").click()
    driver.execute_script("document.querySelector('.tac-error').textContent = 'Cannot reach the assistant.';"
                          "document.querySelector('.tac-error').hidden = false;")
    assert driver.execute_script(CONTRAST) == []


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 900)])
def test_the_layout_fits_phone_and_desktop_widths(driver: Any, server: LocalServer, shots: Any, width: int,
                                                  height: int) -> None:
    for dark in (False, True):
        open_page(driver, server.url, width=width, height=height, dark=dark)
        assert driver.execute_script("return window.innerWidth") == width
        _busy_conversation(driver)
        assert no_horizontal_scroll(driver)
        log = driver.find_element(By.CSS_SELECTOR, ".tac-log")
        assert driver.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", log)
        scheme = "dark" if dark else "light"
        driver.execute_script("arguments[0].scrollTop = arguments[0].scrollHeight", log)
        shots(driver, f"page-{width}-{scheme}-why")
        driver.execute_script("const t = arguments[0].querySelector('.tac-table').closest('article');"
                              "arguments[0].scrollTop = t.offsetTop - 8", log)
        shots(driver, f"page-{width}-{scheme}-table")
        box = driver.find_element(By.CSS_SELECTOR, ".tac-box").rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # the text box and Send stay on screen
        send = driver.find_element(By.CSS_SELECTOR, ".tac-send").rect
        assert send["x"] + send["width"] <= width and send["y"] + send["height"] <= height


# ---------------------------------------------------------------- the widget, on another origin


def test_the_widget_on_another_origin_opens_and_answers(driver: Any, server: LocalServer, host: Any,
                                                        shots: Any) -> None:
    for width, height in ((1280, 900), (360, 740)):
        viewport(driver, width, height)
        driver.get(origin(host) + "/")
        driver.get_log("browser")
        shadow = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "[data-trial-assistant]")).shadow_root
        opener = wait(driver, lambda d: shadow.find_element(By.CSS_SELECTOR, ".taw-open"))
        wait(driver, lambda d: opener.is_displayed())
        assert opener.text == "Ask about the trial" and opener.get_attribute("aria-expanded") == "false"
        assert driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", opener) != \
            "rgb(255, 0, 0)"  # the host page's button style stays out
        panel = shadow.find_element(By.CSS_SELECTOR, ".taw-panel")
        assert not panel.is_displayed()
        shots(driver, f"widget-{width}-closed")
        opener.click()
        assert panel.is_displayed() and opener.get_attribute("aria-expanded") == "true"
        wait(driver, lambda d: panel.find_elements(By.CSS_SELECTOR, ".tac-box"))
        focused = driver.execute_script("return document.activeElement.shadowRoot.activeElement.className")
        assert focused == "tac-box"
        reply = ask(driver, PFS, root=panel)
        assert badge(reply) == "Answered" and "58.2%" in reply.text
        follow = ask(driver, "and at 5 years?", root=panel)
        assert "44.0" in follow.text
        assert no_horizontal_scroll(driver)
        rect = panel.rect
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= width
        shots(driver, f"widget-{width}-open")
        assert console_errors(driver) == []  # the host's strict CSP let everything through: no inline code
        panel.find_element(By.CSS_SELECTOR, ".tac-box").send_keys(Keys.ESCAPE)
        assert not panel.is_displayed()
        assert driver.execute_script("return document.activeElement.shadowRoot.activeElement.className") == \
            "taw-open"


# ---------------------------------------------------------------- an unreachable server


def test_an_unreachable_server_shows_an_error_line(driver: Any, browser_paths: Any, shots: Any) -> None:
    own = LocalServer(["--no-log", "--no-access-log"])
    try:
        box = open_page(driver, own.url, width=360, height=740)
        ask(driver, "what was the rate?")
    finally:
        assert own.stop() == 0
    box.send_keys("and at 5 years?")
    box.send_keys(Keys.ENTER)
    error = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".tac-error"))
    wait(driver, lambda d: error.is_displayed())
    assert "unreachable" in error.text and error.get_attribute("role") == "alert"
    assert box.get_attribute("value") == "and at 5 years?"  # kept, so Send tries again
    assert len(replies(driver)) == 1
    shots(driver, "page-360-light-unreachable")
