"""Open the standalone graph page in headless Chromium, as a person would.

The page (``kgbuild viz graph.trig -o graph.html``) must draw the graph with nothing but
the file itself: the test waits for vis-network to finish, checks from inside the page
that every node of the view is in its DataSet and that the canvas is not blank, and
reads Chromium's performance log to check that every request was for ``file:`` or
``data:``. The screenshot and the static picture of the same view are saved under
``artifacts/`` for a person to look at.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them
through ``scripts/install_browser.sh``); the driver is /usr/bin/chromedriver, nothing is
downloaded. Without them the test is skipped and says so.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
VIEWS = ("entities", "events", "claims")


def _missing_browser() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return (f"{' and '.join(missing)} not installed, so the page cannot be opened in a "
                "browser; install the Debian packages chromium and chromium-driver "
                "(bash scripts/install_browser.sh, which .ci/run calls)")
    return None


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing_browser()
    if reason:
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is not installed: pip install -e '.[test]'")
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions",
                 "--allow-file-access-from-files", "--window-size=1400,1000",
                 "--hide-scrollbars", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER))
    with pytest.MonkeyPatch.context() as env:
        # the driver and browser are given: Selenium Manager must not look anything up
        env.setenv("SE_OFFLINE", "true")
        env.setenv("SE_AVOID_STATS", "true")
        browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    import kgbuild

    path = tmp_path_factory.mktemp("browser") / "graph.trig"
    kgbuild.build([seeds_dir]).serialize(path)
    return path


def _requests(browser: Any) -> list[str]:
    """Every URL the page asked for, from Chromium's DevTools performance log."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


_PAINTED = """
const canvas = document.querySelector('#mynetwork canvas');
if (!canvas) { return -1; }
const ctx = canvas.getContext('2d');
const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
let painted = 0;
for (let i = 0; i < data.length; i += 4) {
  const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
  if (a > 0 && (r < 235 || g < 235 || b < 235)) { painted += 1; }
}
return painted;
"""


@pytest.mark.parametrize("view", VIEWS)
def test_page_draws_every_node_offline(driver: Any, graph_file: Path, tmp_path: Path,
                                       view: str) -> None:
    from click.testing import CliRunner

    import kgbuild
    from kgbuild.cli import cli

    page = tmp_path / f"graph-{view}.html"
    picture = tmp_path / f"graph-{view}.png"
    runner = CliRunner()
    for out in (page, picture):
        result = runner.invoke(cli, ["viz", str(graph_file), "-o", str(out), "--view", view])
        assert result.exit_code == 0, result.output
    expected = kgbuild.load(graph_file).to_networkx(view)

    driver.get_log("performance")  # forget what earlier pages asked for
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if driver.execute_script("return typeof kgReady === 'function' && kgReady();"):
            break
        time.sleep(0.2)
    else:
        logs = driver.get_log("browser")
        pytest.fail(f"the graph did not finish drawing within 60 s; console: {logs}")
    time.sleep(0.5)  # one more frame after physics stopped

    in_page = driver.execute_script("return nodes.length;")
    assert in_page == expected.number_of_nodes()
    ids = driver.execute_script("return nodes.getIds();")
    assert sorted(ids) == sorted(expected.nodes)
    edges = driver.execute_script("return edges.length;")
    assert 0 < edges <= expected.number_of_edges()
    painted = driver.execute_script(_PAINTED)
    assert painted > 2000, f"the canvas looks blank ({painted} painted pixels)"
    positions = driver.execute_script("return network.getPositions();")
    assert len(positions) == expected.number_of_nodes()

    requests = _requests(driver)
    assert requests, "the performance log recorded no request at all"
    remote = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert remote == [], f"the page asked other hosts for {remote}"
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == [], errors

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"browser-{view}.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    shutil.copyfile(picture, ARTIFACTS / f"static-{view}.png")
    shutil.copyfile(page, ARTIFACTS / f"graph-{view}.html")


def test_clicking_a_node_shows_its_evidence(driver: Any, graph_file: Path,
                                            tmp_path: Path) -> None:
    import kgbuild
    from kgbuild.outputs.viz import write

    page = tmp_path / "entities.html"
    write(kgbuild.load(graph_file).to_networkx("entities"), page)
    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while not driver.execute_script("return typeof kgReady === 'function' && kgReady();"):
        assert time.monotonic() < deadline, "the graph did not finish drawing"
        time.sleep(0.2)
    node = "https://w3id.org/kgbuild/id/entity/country/azerbaijan"
    details = driver.execute_script(
        """
        const id = arguments[0];
        network.selectNodes([id]);
        const pos = network.canvasToDOM(network.getPositions([id])[id]);
        network.body.emitter.emit('click', {nodes: [id], edges: [], pointer: {DOM: pos}});
        return document.getElementById('kg-details').textContent;
        """,
        node,
    )
    assert details.startswith("Azerbaijan\n")
    assert "KB: http://www.wikidata.org/entity/Q227" in details
    assert "Evidence:" in details
    # hiding a kind through its check box hides its nodes
    hidden = driver.execute_script(
        """
        const boxes = Array.from(document.querySelectorAll('#kg-controls input'));
        const box = boxes.find(b => b.parentElement.textContent.startsWith('country'));
        box.click();
        return nodes.get({filter: n => n.kgKind === 'Country'}).every(n => n.hidden);
        """
    )
    assert hidden is True
