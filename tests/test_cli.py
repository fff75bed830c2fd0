"""The `microgradx` command line, run as a user runs it: in a subprocess, from a temporary directory.

Checks exit codes, files written, and that bad input gives one line naming the bad value with
status 2 and no traceback.
"""

from __future__ import annotations

import math
import os
import pathlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from microgradx import cli

PYTHON = sys.executable
HAS_MPL = True
try:
    import matplotlib  # noqa: F401
except ImportError:  # pragma: no cover
    HAS_MPL = False


def run(*args: str, cwd: pathlib.Path, code: str | None = None) -> subprocess.CompletedProcess:
    cmd = [PYTHON, "-c", code, *args] if code else [PYTHON, "-m", "microgradx", *args]
    env = {**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def assert_usage_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["lab", "no-such-experiment"], ["'no-such-experiment'", "linear-collapse"]),
        (["train", "--lr", "-0.1"], ["--lr", "'-0.1'"]),
        (["train", "--lr=nan"], ["--lr", "'nan'"]),
        (["train", "--sizes", "16,x"], ["--sizes", "'16,x'"]),
        (["train", "--sizes", "0"], ["--sizes", "'0'"]),
        (["train", "--epochs", "0"], ["--epochs", "'0'"]),
        (["train", "--momentum", "-1"], ["--momentum", "'-1'"]),
        (["train", "--init", "bogus"], ["--init", "'bogus'"]),
        (["train", "--activation", "swish"], ["--activation", "'swish'"]),
        (["graph", "no-net"], ["'no-net'"]),
        (["graph", "neuron", "--out", "g.txt"], ["'.txt'"]),
        (["step", "no-net"], ["'no-net'", "reuse"]),
        (["step"], ["step --list"]),
        (["step", "221", "--out", "p.svg"], [".html", "'p.svg'"]),
        (["step", "221", "--order", "sideways"], ["--order", "'sideways'"]),
        (["activations", "swish"], ["'swish'"]),
        (["activations", "--points", "1,a"], ["--points", "'1,a'"]),
        (["frobnicate"], ["'frobnicate'"]),
        ([], ["COMMAND"]),
    ],
)
def test_bad_input_is_one_line_with_status_2(args, needles, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    status = cli.main(args)
    out, err = capsys.readouterr()
    assert_usage_error(subprocess.CompletedProcess(args, status, out, err), *needles)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["lab", "no-such-experiment"], ["'no-such-experiment'"]),
        (["train", "--sizes", "16,x"], ["'16,x'"]),
        (["train", "--lr", "-0.1"], ["'-0.1'"]),
    ],
)
def test_bad_input_in_a_subprocess(tmp_path, args, needles):
    assert_usage_error(run(*args, cwd=tmp_path), *needles)


# Outputs that cannot be written (tests run as root, so permissions cannot stand in the way:
# a file where a folder should be, and /proc, where nothing can be created).
@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["demo", "--out", "afile", "--epochs", "5"], ["--out", "'afile' is a file, expected a folder"]),
        (["demo", "--out", "/proc/mgx", "--epochs", "5"], ["--out", "cannot create the folder '/proc/mgx'"]),
        (["train", "--out", "afile/sub", "--epochs", "2"], ["--out", "'afile/sub'"]),
        (["train", "--out", "/proc/mgx", "--epochs", "2"], ["--out", "'/proc/mgx'"]),
        (["graph", "neuron", "--out", "afile/g.svg"], ["--out", "'afile' is a file, not a folder"]),
        (["graph", "neuron", "--out", "/proc/g.svg"], ["--out", "cannot write '/proc/g.svg'"]),
        (["step", "221", "--out", "afile/p.html"], ["--out", "'afile' is a file, not a folder"]),
        (["train", "--sizes", "100000000", "--epochs", "1"], ["--sizes", "above the limit"]),
    ],
)
def test_unwritable_outputs_and_huge_sizes_are_one_line_with_status_2(
    args, needles, capsys, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("in the way")
    status = cli.main(args)
    out, err = capsys.readouterr()
    assert_usage_error(subprocess.CompletedProcess(args, status, out, err), *needles)
    assert not (tmp_path / "mgx").exists()


def test_pdf_without_system_graphviz_is_one_line_with_status_2(tmp_path):
    # a PATH with the Python that runs the CLI and graphviz-pure, but no system `dot`
    bindir = tmp_path / "bin"
    bindir.mkdir()
    pure = shutil.which("graphviz-pure") or str(pathlib.Path(sys.executable).with_name("graphviz-pure"))
    if os.path.exists(pure):
        (bindir / "graphviz-pure").symlink_to(pure)
    env = {**os.environ, "PATH": str(bindir)}
    proc = subprocess.run(
        [sys.executable, "-m", "microgradx", "graph", "neuron", "--out", "g.pdf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert_usage_error(proc, "cannot write 'g.pdf'", "install the system Graphviz")
    assert not (tmp_path / "g.pdf").exists()


@pytest.mark.slow
def test_negative_points_are_accepted_in_both_spellings(tmp_path):
    a = run("activations", "relu", "--points", "-2,0,2", cwd=tmp_path)
    b = run("activations", "relu", "--points=-2,0,2", cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout and "-2" in a.stdout


# ---------------------------------------------------------------------------- lab
@pytest.mark.slow
def test_lab_list_one_experiment_per_line(tmp_path):
    proc = run("lab", "--list", cwd=tmp_path)
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    names = [ln.split()[0] for ln in lines]
    assert {
        "linear-collapse",
        "zero-init",
        "constant-init",
        "small-init",
        "large-init",
        "xavier-vs-he",
        "dying-relu",
        "leaky-fix",
        "selu-self-normalizing",
        "sigmoid-vanishing",
        "zero-centred",
    } <= set(names)
    assert all(len(ln.split(maxsplit=1)) == 2 for ln in lines)  # name, then a description


@pytest.mark.slow
def test_lab_runs_an_experiment_and_writes_plots(tmp_path):
    proc = run("lab", "linear-collapse", "--out", "plots", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "conclusion: " in proc.stdout
    assert "one map" in proc.stdout
    if HAS_MPL:
        assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
            "linear-collapse-fit.png",
            "linear-collapse-loss.png",
        ]


# ---------------------------------------------------------------------------- demo
def _numbers_after(label: str, text: str) -> list[float]:
    return [float(m) for m in re.findall(re.escape(label) + r"\s*(-?\d+\.\d+)", text)]


@pytest.mark.slow
def test_demo_writes_graph_plots_and_a_consistent_chain_rule(tmp_path):
    proc = run("demo", "--out", "out", "--epochs", "300", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "graph.svg" in files
    assert (tmp_path / "out" / "graph.svg").read_text()[:200].lstrip().startswith("<?xml")
    if HAS_MPL:
        assert {"loss.png", "fit.png"} <= set(files)
    player = (tmp_path / "out" / "backprop.html").read_text(encoding="utf-8")
    assert 'id="mgx-caption"' in player and "http" not in player
    assert "backprop.html in a browser" in out
    mse = _numbers_after("final MSE:", out)
    assert len(mse) == 1
    assert 0 < mse[0] < 0.1
    assert "∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w" in out
    # the chain-rule value equals backward() through the whole network (printed as a check)
    traced = _numbers_after("∂L/∂w =", out)
    assert len(traced) >= 2
    assert traced[0] == traced[-1]
    assert str((tmp_path / "out").resolve()) in out


@pytest.mark.slow
def test_demo_default_directory_and_progress_bar(tmp_path):
    proc = run("demo", "--epochs", "50", "--progress", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "microgradx-demo" / "graph.svg").exists()
    assert "microgradx-demo" in proc.stdout
    assert "microgradx train --show-code" in proc.stdout  # where to read the compiled step
    assert "50/50" in proc.stderr  # tqdm's bar goes to stderr


@pytest.mark.slow
def test_no_progress_bar_by_default_when_stderr_is_not_a_terminal(tmp_path):
    proc = run("demo", "--epochs", "50", "--out", "d", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "50/50" not in proc.stderr, proc.stderr
    assert "\r" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_demo_without_matplotlib(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None;"
        "from microgradx.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = run("demo", "--out", "out", "--epochs", "20", "--no-progress", cwd=tmp_path, code=code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("matplotlib is not installed") == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["backprop.html", "graph.svg"]


@pytest.mark.slow
def test_train_out_new_folder_without_matplotlib_saves_the_model(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None;"
        "from microgradx.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    proc = run("train", "--epochs", "5", "--no-progress", "--out", "new/dir", cwd=tmp_path, code=code)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "new" / "dir").iterdir()) == ["model.npz"]
    assert "model.npz" in proc.stdout


# ---------------------------------------------------------------------------- train
@pytest.mark.slow
def test_train_reports_dead_units_at_a_high_learning_rate(tmp_path):
    proc = run(
        "train",
        "--activation",
        "relu",
        "--lr",
        "0.3",
        "--momentum",
        "0",
        "--epochs",
        "150",
        "--no-progress",
        "--out",
        "t",
        cwd=tmp_path,
    )
    # (at lr 0.5 this run diverges before units die: reported as a divergence, exit 1)
    assert proc.returncode == 0, proc.stderr
    dead = [float(v) for v in re.findall(r"(\d+\.\d)%", proc.stdout)]  # the dead-units column
    assert max(dead) >= 50.0, proc.stdout
    state = np.load(tmp_path / "t" / "model.npz", allow_pickle=False)
    assert set(state.files) == {
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.2.weight",
        "layers.2.bias",
    }


@pytest.mark.slow
def test_train_flags(tmp_path):
    proc = run(
        "train",
        "--data",
        "surface",
        "--sizes",
        "8",
        "--activation",
        "tanh",
        "--init",
        "xavier_normal",
        "--lr",
        "0.1",
        "--momentum",
        "0.5",
        "--epochs",
        "20",
        "--seed",
        "3",
        "--batch-size",
        "50",
        "--no-progress",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "MLP(2, [8, 1], activation='tanh'), init xavier_normal" in proc.stdout
    assert math.isfinite(_numbers_after("final MSE:", proc.stdout)[0])


def test_train_divergence_is_reported_with_status_1(tmp_path):
    proc = run(
        "train", "--activation", "selu", "--lr", "0.5", "--epochs", "200", "--no-progress", cwd=tmp_path
    )
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("microgradx train: training diverged at epoch"), proc.stderr
    assert "final MSE" not in proc.stdout


def test_train_momentum_at_least_one_is_refused(tmp_path):
    assert_usage_error(run("train", "--momentum", "1.5", cwd=tmp_path), "momentum", "1.5", "< 1")


def test_a_finite_but_exploding_run_is_not_a_success(tmp_path):
    # few epochs at a large lr: the loss is finite but 1e4 times the first epoch's
    proc = run("train", "--lr", "3", "--momentum", "0.9", "--epochs", "30", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "training diverged" in proc.stderr and "final MSE" not in proc.stdout


# ---------------------------------------------------------------------------- graph, activations
@pytest.mark.slow
def test_graph_named_networks(tmp_path):
    proc = run("graph", "--list", cwd=tmp_path)
    names = [ln.split()[0] for ln in proc.stdout.strip().splitlines()]
    assert {"neuron", "221", "mlp"} <= set(names)
    proc = run("graph", "221", "--out", "net.svg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "net.svg").read_text().lstrip().startswith("<?xml")
    assert "∂z11/∂b11 = 1" in proc.stdout  # the backward trace is printed
    proc = run("graph", "neuron", "--out", "n.dot", cwd=tmp_path)
    assert proc.returncode == 0
    assert "digraph" in (tmp_path / "n.dot").read_text()


def _frames_json(path: pathlib.Path) -> dict:
    import json

    page = path.read_text(encoding="utf-8")
    start = page.index('<script type="application/json" class="mgx-frames">')
    body = page[page.index(">", start) + 1 : page.index("</script>", start)]
    return json.loads(body)


@pytest.mark.slow
def test_step_writes_the_player_of_a_named_network(tmp_path):
    import microgradx as mgx
    from microgradx.lab import networks

    proc = run("step", "221", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    net = networks.build("221")
    stepper = mgx.step_backward(net.loss, model=net.model)
    assert f"wrote backprop-221.html: {len(stepper)} frames" in proc.stdout
    data = _frames_json(tmp_path / "backprop-221.html")
    assert [f["text"] for f in data["frames"]] == [f.text for f in stepper.frames]
    assert run("step", "--list", cwd=tmp_path).stdout == run("graph", "--list", cwd=tmp_path).stdout


@pytest.mark.slow
def test_step_naive_order_shows_the_wrong_gradient(tmp_path):
    proc = run("step", "reuse", "--order", "naive", "--out", "naive.html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "b passed its gradient on before all its contributions had arrived" in proc.stdout
    assert re.search(r"∂e/∂a\s+8\.0000\s+vs\s+2\.0000", proc.stdout), proc.stdout
    data = _frames_json(tmp_path / "naive.html")
    assert "naive pre-order" in (tmp_path / "naive.html").read_text(encoding="utf-8")
    assert len(data["frames"]) == 6  # 3 forward ops, 3 backward calls (b's made too early)
    proc = run("step", "reuse", "--order", "no-visited", "--out", "nv.html", cwd=tmp_path)
    assert re.search(r"∂e/∂a\s+8\.0000\s+vs\s+10\.0000", proc.stdout), proc.stdout


def test_activations_table_matches_the_definitions(tmp_path):
    proc = run("activations", "relu", "sigmoid", "--points=-1,0,2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [ln.split() for ln in proc.stdout.splitlines() if "f(x)" in ln or "f'(x)" in ln]
    values = [[float(v) for v in r[-3:]] for r in rows]
    s = [1 / (1 + math.exp(1)), 0.5, 1 / (1 + math.exp(-2))]
    np.testing.assert_allclose(values[0], [0, 0, 2], atol=5e-5)  # relu
    np.testing.assert_allclose(values[1], [0, 0, 1], atol=5e-5)  # relu': 0 at 0
    np.testing.assert_allclose(values[2], s, atol=5e-5)  # sigmoid
    np.testing.assert_allclose(values[3], [v * (1 - v) for v in s], atol=5e-5)


@pytest.mark.slow
def test_activations_plots(tmp_path):
    pytest.importorskip("matplotlib")
    proc = run("activations", "tanh", "elu", "--out", "a", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["elu.png", "tanh.png"]


def test_console_script(tmp_path):
    exe = shutil.which("microgradx", path=str(pathlib.Path(PYTHON).parent))
    if exe is None:
        pytest.skip("the console script is not installed in this environment")
    proc = subprocess.run([exe, "lab", "--list"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "dying-relu" in proc.stdout


def test_train_show_code_prints_the_generated_step(tmp_path):
    proc = run(
        "train",
        "--sizes",
        "4",
        "--epochs",
        "3",
        "--batch-size",
        "50",
        "--no-progress",
        "--show-code",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "the code mgx.compile generated for one training step (batch of 50)" in out
    assert "def compiled_step(x, W1, b1, W2, b2, y):" in out
    assert "dL_dz1 = Tanh.backward(ctx_a1, dL_da1)" in out
    assert (
        "def compiled_step"
        not in run("train", "--sizes", "4", "--epochs", "3", "--no-progress", cwd=tmp_path).stdout
    )


@pytest.mark.parametrize("task", ["regression", "classify"])
def test_train_table_shows_both_gauges_measured_at_the_final_weights(tmp_path, task):
    """Every layer's mean|∂L/∂z| and ‖∂L/∂W‖ are numbers, from one pass over the training set.

    The table used to come from a forward-only recording: the δ column was empty and ‖∂L/∂W‖
    was whatever the last training step had left in ``.grad``.
    """
    proc = run("train", "--task", task, "--epochs", "50", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    start = lines.index(
        "per layer, on the training data (one forward and backward pass at the final weights):"
    )
    header, rows = (
        lines[start + 1].split(),
        [line.split() for line in lines[start + 3 :] if line.startswith("layers.")],
    )
    assert len(rows) == 3
    delta, wgrad = header.index("mean|dL/dz|"), header.index("|dL/dW|")
    for row in rows:
        assert float(row[delta]) > 0 and float(row[wgrad]) > 0, row


def test_subcommand_help_is_its_docstring_and_prog_is_its_name():
    """The one-line help and the description come from each command's docstring (one home), and a
    command without a docstring cannot register."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    listed = {a.dest: a.help for a in sub._choices_actions}
    # the one-line helps as `microgradx --help` printed them when they were typed in the decorator
    assert listed == {
        "demo": "train a toy regressor; graph, plots and a chain-rule trace",
        "lab": "run an experiment of the notes (--list shows them)",
        "train": "train an MLP on a toy data set",
        "graph": "draw a small named network (--list shows them)",
        "step": "write a player that steps through a named network's forward and backward pass",
        "activations": "values and derivatives of the activations",
    }
    assert sub.choices["lab"].description == (
        "Run one experiment of the lecture notes and print what it measured."
    )
    assert sub.choices["graph"].description == (
        "Draw the computation graph of a small network of the notes after backward, and print its "
        "backward pass step by step."
    )
    for name in cli.COMMANDS:
        assert sub.choices[name].get_default("prog") == f"microgradx {name}"

    def undocumented(args):
        return 0

    with pytest.raises(ValueError, match=r"cmd-x.*needs a docstring"):
        cli.command("cmd-x", arguments=lambda p: None)(undocumented)
    assert "cmd-x" not in cli.COMMANDS
