"""The examples run as a user runs them (a subprocess, from an unrelated directory, no network)
and write files only under the directory they are given; their numbers are checked against
the definitions they illustrate."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocess runs of whole scripts: the full suite runs them


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HAS_MPL = True
try:
    import matplotlib  # noqa: F401
except ImportError:  # pragma: no cover
    HAS_MPL = False


def run_example(name: str, tmp_path: Path, *args: str) -> tuple[str, Path]:
    cwd = tmp_path / "cwd"
    out = tmp_path / "out"
    cwd.mkdir()
    env = {**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args, "--out", str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(cwd.iterdir()) == [], "the example wrote into the working directory"
    assert {p.parent for p in out.rglob("*")} <= {out}
    return proc.stdout, out


def test_neuron_by_hand(tmp_path):
    out, files = run_example("neuron_by_hand", tmp_path)
    z = 0.5 * 2.0 + (-0.3) * (-1.0) + 0.1
    s = 1 / (1 + math.exp(-z))
    expected = f"{s * (1 - s) * 2.0:.4f}"  # σ'(z)·x1, by hand
    assert f"by hand: ∂a/∂w1 = g'(z)·x1 = {expected}" in out
    assert f"w1.grad = {expected}" in out
    assert "∂a/∂z" in out and "σ(z)(1−σ(z))" in out
    assert (files / "neuron.svg").exists()


@pytest.mark.parametrize("activation", ["relu", "tanh", "selu"])
def test_neuron_by_hand_other_activations(tmp_path, activation):
    out, _ = run_example("neuron_by_hand", tmp_path, "--activation", activation)
    assert "by hand" in out


def test_network_221_trace(tmp_path):
    out, files = run_example("network_221_trace", tmp_path)
    # the notes' chain rule for w11, recomputed here from the printed forward values
    x1, w11, w21, b11, v1, v2, c, y = 0.5, 0.4, -0.6, 0.1, 0.7, -0.5, 0.05, 1.0
    x2, w12, w22, b12 = -1.0, 0.3, 0.8, -0.2
    a11 = 1 / (1 + math.exp(-(w11 * x1 + w21 * x2 + b11)))
    a12 = 1 / (1 + math.exp(-(w12 * x1 + w22 * x2 + b12)))
    y_hat = v1 * a11 + v2 * a12 + c
    dw11 = 2 * (y_hat - y) * v1 * a11 * (1 - a11) * x1
    assert f"∂L/∂w11: by hand {dw11:.4f}, trace_backward {dw11:.4f}" in out
    assert "16 backward steps" in out
    assert (files / "network-221.svg").exists()


def test_initializer_comparison(tmp_path):
    out, files = run_example(
        "initializer_comparison", tmp_path, "--depth", "4", "--width", "32", "--epochs", "60"
    )
    rows = {
        ln.split()[0]: ln.split()
        for ln in out.splitlines()
        if ln.split() and ln.split()[0] in ("zeros", "random_small", "random_large", "xavier_uniform")
    }
    assert rows["zeros"][6] == "1/32"  # every unit the same
    assert float(rows["random_small"][2]) < 1e-4  # std of layer 4: vanished
    assert float(rows["random_large"][4].rstrip("%")) > 50  # saturated tanh
    assert float(rows["xavier_uniform"][7]) < float(rows["zeros"][7])  # Xavier trains, zeros does not
    if HAS_MPL:
        assert sorted(p.name for p in files.iterdir()) == [
            "init-tanh-grad.png",
            "init-tanh-loss.png",
            "init-tanh-std.png",
        ]


def test_dying_relu(tmp_path):
    out, files = run_example("dying_relu", tmp_path, "--epochs", "200")
    lines = {ln[:20].strip(): ln for ln in out.splitlines()}
    assert re.search(r"100\.0%\s+0\.4505$", lines["relu, bias -3"])  # dead: a constant, Var(y)
    assert "0% (100.0% negative on every input)" in lines["leaky_relu, bias -3"]
    leaky_mse = float(lines["leaky_relu, bias -3"].split()[-1])
    assert leaky_mse < 0.4  # …but it trains
    if HAS_MPL:
        assert len(list(files.glob("dying-relu-*.png"))) == 4


def test_binary_classification(tmp_path):
    out, files = run_example("binary_classification", tmp_path)
    rows = {ln[:44].strip(): ln[44:].split() for ln in out.splitlines() if "output +" in ln}
    sig = rows["sigmoid output + binary_cross_entropy(p, y)"]
    logit = rows["linear output + bce_with_logits(z, y)"]
    assert sig[0] == logit[0] and sig[0].startswith("0.")  # the same first loss: the same weights
    for row in (sig, logit):
        assert float(row[1]) < 0.1 * float(row[0])  # it learns
        assert float(row[2].rstrip("%")) >= 95 and float(row[3].rstrip("%")) >= 95  # train, held-out
    gap = float(re.search(r"two loss histories: (\S+)", out).group(1))
    assert gap < 1e-10
    table = {
        float(ln.split()[0]): ln.split() for ln in out.splitlines() if re.match(r"^\s+[\d.e+]+\s+[01]\.", ln)
    }
    assert sorted(table) == [2.0, 20.0, 40.0, 1000.0]
    for z, (_, p, loss_p, grad_p, loss_z, grad_z) in table.items():
        s = 1 / (1 + math.exp(-z))  # by hand: σ(z), and the exact loss ln(1 + e^z) for y = 0
        assert float(loss_z) == pytest.approx(z + math.log1p(math.exp(-z)), abs=1e-4)
        assert float(grad_z) == pytest.approx(s, abs=1e-4)
        if s == 1.0:  # σ(z) rounds to 1 in float64: the probability form clamps and stops
            assert float(p) == 1.0 and float(loss_p) == 100.0 and float(grad_p) == 0.0
        else:
            assert float(loss_p) == pytest.approx(float(loss_z), abs=1e-4)
    assert "from z = 40, σ(z) rounds to 1" in out
    if HAS_MPL:
        assert [p.name for p in files.iterdir()] == ["decision-boundary.png"]


def test_binary_classification_conclusions_follow_the_numbers():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "binary_classification", EXAMPLES / "binary_classification.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rows = {z: mod.one_wrong_example(z) for z in (2.0, 40.0)}
    lines = mod.conclusions(rows)
    assert (
        lines[0].startswith("from z = 40, σ(z) rounds to 1") and "with logits the loss is exact" in lines[1]
    )
    rows = {2.0: rows[2.0]}
    assert mod.conclusions(rows)[0].startswith("σ(z) never rounded to 1")
    rows[2.0] = {**rows[2.0], "grad_z": 0.5}
    assert "missed its exact value" in mod.conclusions(rows)[1]


def test_examples_default_to_a_temporary_directory(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "neuron_by_hand.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    written = Path(re.search(r"wrote (\S+)", proc.stdout).group(1))
    assert written.exists() and tmp_path not in written.parents
    written.unlink()
    written.parent.rmdir()


@pytest.mark.parametrize(
    ("name", "args", "needle"),
    [
        (
            "initializer_comparison",
            ["--depth", "0"],
            "argument --depth: expected a positive integer, got '0'",
        ),
        ("initializer_comparison", ["--width", "x"], "argument --width"),
        ("dying_relu", ["--epochs", "-1"], "argument --epochs: expected a positive integer, got '-1'"),
        ("neuron_by_hand", ["--b", "nan"], "argument --b: expected a finite number, got 'nan'"),
        ("toy_regressor", ["--momentum", "1.5", "--epochs", "2"], "expected 0 <= momentum < 1"),
        ("toy_regressor", ["--lr", "0"], "argument --lr"),
        ("binary_classification", ["--momentum", "1", "--epochs", "1"], "expected 0 <= momentum < 1"),
        ("binary_classification", ["--noise", "-1"], "argument --noise: must be >= 0, got '-1'"),
        ("network_221_trace", ["--out", "/proc/mgx"], "cannot create the folder '/proc/mgx'"),
    ],
)
def test_bad_arguments_are_one_line_with_status_2(tmp_path, name, args, needle):
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert needle in err, err


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_help_describes_the_script_in_whole_sentences(name):
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    description = " ".join(proc.stdout.split("\n\n")[1].split())
    assert description.endswith((".", ")", ":")), description


def test_dying_relu_conclusions_follow_the_numbers():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dying_relu", EXAMPLES / "dying_relu.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    base = {"negative": [0.1], "mse": 0.03, "diverged_at": None}
    results = dict.fromkeys((c[0] for c in mod.CASES), base)
    lines = mod.conclusions(results, var=0.45, line_mse=0.2)
    assert all("at most 10.0%" in line for line in lines)
    dead = {**base, "negative": [1.0], "mse": 0.45}
    results["relu, bias -3"] = dead
    results["relu, lr 0.5"] = {**base, "diverged_at": 6}
    lines = mod.conclusions(results, var=0.45, line_mse=0.2)
    assert "relu, lr 0.5: training diverged at epoch 6" in lines[1]
    assert "every unit is dead" in lines[2] and "≈ Var(y)" in lines[2]
    results["relu, bias -3"] = {**dead, "mse": 0.1}  # dead but not a constant: the numbers say so
    assert "vs Var(y)" in mod.conclusions(results, var=0.45, line_mse=0.2)[2]
