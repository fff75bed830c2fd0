"""`microgradx train --task classify`, run as a user runs it: in a subprocess, from a temporary directory."""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_cli import HAS_MPL, assert_usage_error, run

import microgradx as mgx
from microgradx import classification, data, nn


def _accuracy(stdout: str, what: str) -> tuple[float, int, int]:
    m = re.search(rf"^{what} accuracy: ([\d.]+) % \((\d+)/(\d+)\)$", stdout, re.M)
    assert m, stdout
    return float(m.group(1)), int(m.group(2)), int(m.group(3))


def test_the_default_run_reaches_95_percent_on_moons(tmp_path):
    proc = run("train", "--task", "classify", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert (
        "data: moons, X (200, 2), y (200,) class indices, 2 classes (100, 100 samples), noise std 0.1" in out
    )
    assert "model: MLP(2, [32, 32, 2], activation='tanh')" in out and "the 2 outputs are logits" in out
    assert "training: cross-entropy, SGD lr 0.05, momentum 0.9, 1000 epochs, batch full, seed 0" in out
    assert re.search(r"^final cross-entropy: [\d.]+ \(first epoch 0\.6\d+; ln 2 = 0\.693147", out, re.M)
    train, right, total = _accuracy(out, "train")
    held, held_right, held_total = _accuracy(out, "held-out")
    assert total == 200 and held_total == 1000
    assert train >= 95 and held >= 95
    assert f"{100 * right / total:.1f}" == f"{train:.1f}"
    # the numbers are the library's: the same run, in process, gives the same accuracies
    run_ = classification.train_classifier(progress=False)
    assert held_right == round(run_.test_accuracy * 1000) and right == round(run_.train_accuracy * 200)
    assert "per layer, on the training data (one forward and backward pass at the final weights):" in out
    assert list(tmp_path.iterdir()) == []  # nothing written without --out


def test_out_saves_the_model_and_with_matplotlib_the_plots(tmp_path):
    proc = run(
        "train", "--task", "classify", "--epochs", "300", "--no-progress", "--out", "res", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "res").iterdir())
    expected = ["decision-boundary.png", "loss.png", "model.npz"] if HAS_MPL else ["model.npz"]
    assert names == expected
    net = nn.MLP(2, [32, 32, 2], activation="tanh")
    net.load_state_dict(mgx.load(tmp_path / "res" / "model.npz"))
    X, y = data.moons(n=200, noise=0.1, rng=np.random.default_rng(0))  # the run's training data
    _, right, _ = _accuracy(proc.stdout, "train")
    assert round(classification.accuracy(net, X, y) * 200) == right


def test_out_without_matplotlib_saves_the_model(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None;"
        "from microgradx.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = run(
        "train", "--task", "classify", "--epochs", "5", "--no-progress", "--out", "o", cwd=tmp_path, code=code
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["model.npz"]
    assert "matplotlib" in proc.stdout  # the one notice


@pytest.mark.parametrize(("name", "classes"), [("circles", 2), ("spirals", 3)])
def test_other_data_sets(tmp_path, name, classes):
    proc = run(
        "train",
        "--task",
        "classify",
        "--data",
        name,
        "--epochs",
        "20",
        "--test-n",
        "50",
        "--no-progress",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"data: {name}, " in proc.stdout and f"{classes} classes" in proc.stdout
    assert f"MLP(2, [32, 32, {classes}]" in proc.stdout
    assert _accuracy(proc.stdout, "held-out")[2] == 50


def test_divergence_is_reported_with_status_1(tmp_path):
    proc = run(
        "train",
        "--task",
        "classify",
        "--activation",
        "relu",
        "--lr",
        "1000",
        "--epochs",
        "100",
        "--no-progress",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stdout
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("microgradx train: training diverged at epoch"), proc.stderr
    assert "accuracy" not in proc.stdout


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (
            ["--task", "classify", "--data", "sine"],
            ["'sine' is a regression data set", "moons, circles, spirals"],
        ),
        (["--data", "moons"], ["'moons' is a classification data set", "--task classify"]),
        (["--task", "classes"], ["--task", "'classes'", "classify"]),
        (["--task", "classify", "--test-n", "0"], ["--test-n", "'0'"]),
        (["--task", "classify", "--data", "spiral"], ["--data", "'spiral'"]),
        (["--task", "classify", "--momentum", "1.5", "--epochs", "1"], ["momentum", "1.5"]),
        (["--task", "classify", "--init", "bogus"], ["--init", "'bogus'"]),
    ],
)
def test_bad_input_is_one_line_with_status_2(tmp_path, args, needles):
    assert_usage_error(run("train", *args, cwd=tmp_path), *needles)


def test_regression_is_still_the_default(tmp_path):
    proc = run("train", "--epochs", "3", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "data: sine, X (200, 1), y (200, 1), noise std 0.05" in proc.stdout and "final MSE" in proc.stdout
