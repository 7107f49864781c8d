"""``notebooks/explore.ipynb``: stored without outputs, runs headless without errors.

The notebook is executed with nbclient on a kernel that runs this interpreter (a kernel
spec written to a temporary JUPYTER_PATH, so no installed "python3" kernel of another
Python is picked up). Its outputs must hold the interactive graph (offline), the tables
and the chart images. The executed copy is saved as ``artifacts/explore.executed.ipynb``.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
ARTIFACTS = ROOT / "artifacts"

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[notebook]'")


def test_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code"
    for cell in code:
        assert cell.outputs == [], "clear the outputs before committing the notebook"
        assert cell.execution_count is None


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


@pytest.mark.slow
def test_notebook_runs_clean_and_shows_the_graph_and_charts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[notebook]'")
    pytest.importorskip("ipykernel", reason="pip install -e '.[notebook]'")
    kernels = tmp_path / "jupyter" / "kernels" / "kgbuild-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kgbuild test (this venv)",
        "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="kgbuild-test",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    ARTIFACTS.mkdir(exist_ok=True)
    nbformat.write(nb, ARTIFACTS / "explore.executed.ipynb")

    outputs = _outputs(nb)
    assert not [o for o in outputs if o.output_type == "error"]
    pages = [o.data["text/html"] for o in outputs
             if "data" in o and "<iframe srcdoc=" in o.data.get("text/html", "")]
    assert len(pages) == 2, "expected the entities and claims views"
    from kgbuild.outputs.viz import remote_resources

    for frame in pages:
        page = html.unescape(re.search(r'srcdoc="([^"]*)"', frame, re.DOTALL).group(1))
        assert "new vis.Network" in page and "new vis.DataSet" in page
        assert remote_resources(page) == []
    images = [o for o in outputs if "data" in o and "image/png" in o.data]
    assert len(images) >= 3, "expected the static graph, the timeline and the casualty chart"
    tables = [o for o in outputs if "data" in o and "<table" in o.data.get("text/html", "")]
    assert len(tables) >= 10, "expected one table per competency question"
    texts = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Conforms" in texts or "conforms" in texts
