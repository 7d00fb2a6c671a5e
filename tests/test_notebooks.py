"""The four example notebooks run top to bottom (quick settings) without an error, and the
committed ones hold the outputs of a full, in-order run.

The notebooks are written by docs/make_notebooks.py; ``--execute`` runs them with full
settings and saves the outputs (their metadata records it).
"""

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = ["01_quickstart.ipynb", "02_compare_models.ipynb", "03_covariates.ipynb", "04_many_series.ipynb",
            "05_lstm_family.ipynb"]
QUICK_LINE = 'QUICK = os.environ.get("FORECASTKIT_QUICK") == "1"'
#: Keras epoch logs ("Epoch 3/100", step progress bars) must stay off unless asked for.
EPOCH_LOG = re.compile(r"Epoch \d+/\d+|\d+/\d+ ━")


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code"]


def problems(notebook) -> list[str]:
    """Error outputs, tracebacks on stderr and Keras epoch logs, one line each."""
    found = []
    for index, cell in enumerate(code_cells(notebook)):
        for output in cell.outputs:
            if output.output_type == "error":
                found.append(f"code cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream":
                if output.name == "stderr" and ("Traceback" in output.text or "Error" in output.text):
                    found.append(f"code cell {index} wrote to stderr: {output.text.strip()[:300]}")
                if EPOCH_LOG.search(output.text):
                    found.append(f"code cell {index} shows Keras epoch logs: {output.text.strip()[:200]}")
    return found


def test_the_four_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_is_a_full_clean_run(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    cells = code_cells(notebook)
    quick_cells = [i for i, c in enumerate(cells) if "FORECASTKIT_QUICK" in c.source]
    assert quick_cells == [0] and QUICK_LINE in cells[0].source, "one parameter cell, the first code cell"
    assert notebook.metadata.get("forecastkit", {}).get("settings") == "full", \
        "outputs must come from a full run: python docs/make_notebooks.py --execute"
    # executed top to bottom in one kernel: no hidden state, no cell skipped
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    assert sum(len(c.outputs) for c in cells) >= len(cells) // 2
    assert any("image/png" in o.get("data", {}) for c in cells for o in c.outputs), "a plot"
    assert not problems(notebook)
    markdown = [c for c in notebook.cells if c.cell_type == "markdown"]
    assert len(markdown) >= 4, "prose between the cells"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_quick(name, monkeypatch):
    monkeypatch.setenv("FORECASTKIT_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in code_cells(notebook):
        cell.outputs, cell.execution_count = [], None
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    assert not problems(notebook)


def test_progress_bar_is_a_live_widget_in_jupyter(monkeypatch):
    """A fit with verbose=1 in a notebook shows rich's progress bar as a Jupyter widget (which
    needs ipywidgets) and no Keras epoch log."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "from forecastkit import Forecaster, datasets\n"
        "f = Forecaster('linear', horizon=3, params={'epochs': 2}, verbose=1).fit(datasets.load('airline'))")]
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "ipywidgets" not in text and "Epoch 1/" not in text
