"""Regenerate the decision-boundary pictures of docs/classification.md: docs/images/classification/.

Run from anywhere (needs matplotlib; a few seconds)::

    python docs/make_classification_plot.py

Each picture is the run ``microgradx train --task classify`` makes with the same arguments
(`microgradx.classification.train_classifier`, default seed 0), so the page's quoted output and
its pictures are the same trained network.
"""

from __future__ import annotations

import pathlib
import sys

DOCS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # a source checkout works without installing

from microgradx import classification  # noqa: E402

OUT_DIR = DOCS / "images" / "classification"

#: file name -> (the CLI's arguments, as train_classifier keywords)
RUNS: dict[str, dict] = {
    "moons-decision-boundary.png": {"data": "moons"},  # microgradx train --task classify
    "spirals-decision-boundary.png": {"data": "spirals", "n": 300},  # … --data spirals --n 300
}


def make_plots(out_dir: pathlib.Path = OUT_DIR) -> list[pathlib.Path]:
    """Train each run of `RUNS` and save its decision boundary (120 dpi) into ``out_dir``."""
    written = []
    for name, kwargs in RUNS.items():
        run = classification.train_classifier(progress=False, **kwargs)
        sizes = [32, 32, run.classes]
        title = (
            f"{run.data}: MLP(2, {sizes}), cross-entropy, 1000 epochs\n"
            f"train accuracy {100 * run.train_accuracy:.1f} %, held-out {100 * run.test_accuracy:.1f} %"
        )
        path = classification.plot_decision_boundary(
            run.model, run.X, run.y, out_dir / name, title=title, dpi=120
        )
        if path is None:
            raise SystemExit("make_classification_plot.py needs matplotlib: pip install matplotlib")
        written.append(path)
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    make_plots()
