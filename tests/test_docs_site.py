"""The documentation site builds with `mkdocs build --strict` and has every page it promises.

Skips where the docs extra is not installed (``pip install -e ".[docs]"``).
"""

import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("mkdocs", reason='the docs extra is not installed: pip install -e ".[docs]"')
pytest.importorskip("mkdocstrings", reason='the docs extra is not installed: pip install -e ".[docs]"')
pytest.importorskip("mkdocs_jupyter", reason='the docs extra is not installed: pip install -e ".[docs]"')

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def _page(site, rel: pathlib.Path) -> pathlib.Path:
    stem = rel.with_suffix("")
    return site / (
        "index.html" if stem.name == "index" and stem.parent == pathlib.Path(".") else stem / "index.html"
    )


pytestmark = pytest.mark.slow


def test_every_docs_page_is_built(site):
    pages = [p.relative_to(DOCS) for p in DOCS.rglob("*.md") if "notebooks" not in p.parts]
    assert len(pages) >= 15
    missing = [str(p) for p in pages if not _page(site, p).exists()]
    assert missing == []


def test_every_notebook_is_a_page_with_its_executed_outputs(site):
    notebooks = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 5
    for nb in notebooks:
        page = site / "notebooks" / nb.stem / "index.html"
        assert page.exists(), nb.name
        html = page.read_text(encoding="utf-8")
        assert "jp-OutputArea-output" in html, f"{nb.name}: no executed output on its page"
        assert "Traceback" not in html and "TqdmWarning" not in html, nb.name


@pytest.mark.parametrize(
    ("page", "heading"),
    [("tensor", "Tensor"), ("nn", "MLP"), ("optim", "SGD"), ("init", "xavier_normal")],
)
def test_api_reference_pages_come_from_the_docstrings(site, page, heading):
    html = (site / "reference" / page / "index.html").read_text(encoding="utf-8")
    assert 'id="microgradx.' in html and heading in html
    assert "Examples" in html or "Args" in html or "Parameters" in html


def test_search_index_is_built(site):
    assert (site / "search" / "search_index.json").exists()
