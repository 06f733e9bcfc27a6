"""The pages a learner opens, loaded in a real browser (headless Chromium): the examples'
``runs/index.html`` and the docs site (``mkdocs build --strict``). Every image and SVG
loads, nothing is logged to the console as an error, every example has its section, its
description is rendered (no raw ````markup````) and every figure has a caption.

Needs Debian's ``chromium-headless-shell`` (Playwright drives it through
``executable_path``: Playwright cannot download browsers here) and the ``docs`` extra; CI
installs both (.ci/run) and then requires them; elsewhere the tests are skipped when
either is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium-headless-shell") or "/usr/lib/chromium/chromium-headless-shell"

pytestmark = pytest.mark.skipif(
    os.environ.get("TINYGRAD_EDU_REFERENCE") == "1",
    reason="the pages do not depend on the engine's path: checked once, in the default run")


def _require(ok: bool, what: str) -> None:
    if not ok:
        if os.environ.get("TINYGRAD_EDU_REQUIRE_BROWSER"):  # (.ci/run sets it when it could
            pytest.fail(f"the pages must be checked in a browser, but {what} is missing")
        pytest.skip(f"{what} is not installed")  # install the browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "playwright (pip install -e '.[docs]')")
    _require(Path(CHROMIUM).exists(), "chromium-headless-shell (apt-get install "
                                      "chromium-headless-shell)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def _load(browser: Any, url: str) -> tuple[Any, list[str]]:
    """Open ``url``; return the page and every console error, page error and failed load."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error"
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed to load: {r.url}"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, problems


def _broken_images(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "img", "els => els.filter(e => !e.complete || e.naturalWidth === 0).map(e => e.src)")


@pytest.fixture(scope="module")
def examples_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    subprocess.run([sys.executable, "-m", "examples", "--quick", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return out / "index.html"


def test_examples_index_shows_every_example_with_its_figures(browser: Any,
                                                              examples_index: Path) -> None:
    from examples import EXAMPLES

    page, problems = _load(browser, examples_index.as_uri())
    assert not problems, problems
    assert not _broken_images(page)
    for name in EXAMPLES:
        assert page.locator(f"section#{name} h2").count() == 1, name
    sources = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    assert any(s.endswith(".svg") for s in sources), "the graph SVGs are not in the index"
    for text in page.locator("section > p").all_inner_texts():
        assert "``" not in text and "`" not in text, f"raw markup in a description: {text}"
    figures = page.locator("figure")
    assert figures.count() == len(sources)
    for caption in page.locator("figure figcaption").all_inner_texts():
        assert len(caption.split()) >= 3, f"a figure without a real caption: {caption!r}"


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The docs site built with ``mkdocs build --strict`` and served over HTTP (the search
    runs in a web worker, which a file:// page may not start)."""
    _require(shutil.which("mkdocs") is not None or _has_module("mkdocs"),
             "mkdocs (pip install -e '.[docs]')")
    site = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d",
                            str(site)], cwd=ROOT, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_docs_site_pages_load_with_their_images(browser: Any, docs_site: str) -> None:
    page, problems = _load(browser, docs_site)
    assert not problems, problems
    links = page.eval_on_selector_all(
        "nav a.md-nav__link[href]", "els => [...new Set(els.map(e => e.href))]")
    pages = sorted({link.split("#")[0] for link in links if link.startswith(docs_site)})
    assert len(pages) >= 10, pages
    for url in pages:
        page, problems = _load(browser, url)
        assert not problems, (url, problems)
        assert not _broken_images(page), url
        assert page.locator("article h1").count() >= 1, url
    api = _load(browser, docs_site + "api/tensor/")[0]
    assert api.locator("code", has_text="backward").count() > 0  # generated from docstrings
