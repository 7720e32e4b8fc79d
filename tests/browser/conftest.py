"""A live server on a free loopback port and Debian's chromium driven by Playwright."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# the web tests' fixture warehouse and plan database
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    import uvicorn
    import web_fixtures as fixtures

    from maternity_equity.web.app import create_app
    from maternity_equity.web.settings import WebSettings

    folder = tmp_path_factory.mktemp("live")
    fixtures.write_warehouse(folder, extras=("population", "headlines", "wres"))
    template = fixtures.make_plan_template(tmp_path_factory.mktemp("plan"))
    url = fixtures.write_plan_db(template, folder)
    app = create_app(
        WebSettings(
            warehouse_path=folder / "warehouse.duckdb",
            plan_db_url=url,
            secret_key="browser-test-secret",
        )
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(live_server, chromium_browser):
    return chromium_browser


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
