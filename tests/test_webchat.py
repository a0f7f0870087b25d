"""The web chat's routes and files, without a browser: headers (CSP, nosniff, content types, ETags), the files
shipped in the package, and what the page and scripts may not contain (inline code, markup insertion,
third-party URLs). The browser tests are in test_webchat_browser.py."""
from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest

pytest.importorskip("starlette")

from assistant.interfaces.http import create_app  # noqa: E402
from assistant.interfaces.http.webchat import FILES, PAGE_CSP  # noqa: E402

CSP_NEEDS = {"default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "connect-src": "'self'",
             "img-src": "'self' data:", "base-uri": "'none'", "form-action": "'none'", "frame-ancestors": "'none'"}
TYPES = {"/": "text/html", "/chat.js": "text/javascript", "/widget.js": "text/javascript", "/chat.css": "text/css",
         "/widget.css": "text/css"}


def client(**kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(create_app(**kw))


@pytest.fixture(scope="module")
def web(assistant: Any) -> Any:
    return client(assistant=assistant)


def static(name: str) -> str:
    return (resources.files("assistant.interfaces.http") / "static" / name).read_text(encoding="utf-8")


def test_the_page_is_served_with_a_strict_csp(web: Any) -> None:
    r = web.get("/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"] == PAGE_CSP
    policy = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert policy == CSP_NEEDS
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="en">' in r.text and 'src="chat.js"' in r.text


@pytest.mark.parametrize("path", sorted(FILES))
def test_every_file_has_its_content_type_and_nosniff(web: Any, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == TYPES[path] + "; charset=utf-8"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-cache" and r.headers["etag"].startswith('"')
    assert r.content == static(FILES[path]).encode()
    assert web.head(path).status_code == 200


def test_a_current_copy_is_revalidated_with_304(web: Any) -> None:
    etag = web.get("/widget.js").headers["etag"]
    again = web.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert web.get("/widget.js", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_widget_files_may_be_loaded_by_other_origins(web: Any) -> None:
    for path in ("/widget.js", "/chat.js", "/chat.css", "/widget.css"):
        assert web.get(path).headers["cross-origin-resource-policy"] == "cross-origin"


def test_other_paths_stay_json_errors(web: Any) -> None:
    r = web.get("/chat.html")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert web.post("/", json={}).status_code == 405


def test_the_page_is_served_when_a_token_guards_the_api(assistant: Any) -> None:
    c = client(assistant=assistant, token="s3cret")
    assert c.get("/").status_code == 200 and c.get("/widget.js").status_code == 200
    assert c.post("/v1/ask", json={"question": "hi"}).status_code == 401


def test_mounted_under_a_prefix_the_page_finds_its_files(assistant: Any) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    outer = TestClient(Starlette(routes=[Mount("/trial", app=create_app(assistant))]))
    page = outer.get("/trial/")
    assert page.status_code == 200
    assert 'href="chat.css"' in page.text and 'src="chat.js"' in page.text  # relative: they resolve under /trial/
    assert outer.get("/trial/chat.js").status_code == 200


def test_the_static_files_ship_in_the_package() -> None:
    folder = resources.files("assistant.interfaces.http") / "static"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES.values())


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data


def test_the_page_has_no_inline_script_or_style() -> None:
    page = _Page()
    page.feed(static("chat.html"))
    names = [t for t, _ in page.tags]
    assert "style" not in names and page.script_text.strip() == ""
    assert all(a.get("src") for t, a in page.tags if t == "script")
    for tag, attrs in page.tags:
        assert not [k for k in attrs if k.startswith("on") or k == "style"], tag
    html = dict(page.tags)["html"]
    assert html["lang"] == "en"
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in page.tags


@pytest.mark.parametrize("name", ["chat.js", "widget.js"])
def test_the_scripts_insert_text_never_markup(name: str) -> None:
    code = static(name)
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                   "setAttribute(\"style\"", "setTimeout(\"", "createContextualFragment", "DOMParser"):
        assert banned not in code, banned
    assert "textContent" in code and "createElement" in code


@pytest.mark.parametrize("name", sorted(set(FILES.values())))
def test_no_third_party_requests(name: str) -> None:
    text = static(name)
    urls = re.findall(r"https?://[^\s\"'<>)]+", text)
    allowed = ("https://doi.org/", "https://assistant.example.org/", "https://that.site", "http://\\/", "https?:")
    assert all(u.startswith(allowed) for u in urls), urls
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?(?!data:)", text)
    assert "//cdn" not in text and "fonts.googleapis" not in text


def test_the_css_respects_the_users_settings() -> None:
    css = static("chat.css")
    assert "@media (prefers-color-scheme: dark)" in css and "@media (prefers-reduced-motion: reduce)" in css
    assert ":focus-visible" in css
    assert "@media (prefers-reduced-motion: reduce)" in static("widget.css")


def test_openapi_lists_the_page_and_the_widget(web: Any) -> None:
    paths = web.get("/openapi.json").json()["paths"]
    assert "/" in paths and "/widget.js" in paths
