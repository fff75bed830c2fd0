"""`why(root, wrt)`: one constructed graph per verdict, the verdict and the cited tensors asserted,
the numbers in the text checked against values computed here by hand (math module, central
differences, PyTorch), never against microgradx's own output; and why() changes nothing."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from graphs import neuron
from oracles import central_diff

import microgradx as mgx
from microgradx.diagnostics import measures
from microgradx.formatting import fmt
from microgradx.lab import networks
from microgradx.viz.why import VERDICTS, Diagnosis, why

ROOT = Path(__file__).resolve().parent.parent
T = mgx.Tensor


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def cited(d: Diagnosis) -> list[str]:
    """The names of the cited tensors, checked to be the one naming's."""
    names = mgx.tensor_names(d.root)
    for e in d.evidence:
        if e.tensor in names:
            assert e.name == names[e.tensor]
    return [e.name for e in d.evidence]


def named(t: mgx.Tensor, name: str) -> mgx.Tensor:
    t.name = name
    return t


# ----------------------------------------------------------------------------- the engine's counter
def test_backward_counts_its_passes_on_the_roots_ctx_once_per_call():
    loss, t = neuron()
    assert loss._ctx.backward_runs == 0
    loss.backward()
    loss.backward()
    assert loss._ctx.backward_runs == 2
    assert t["z"]._ctx.backward_runs == 0  # only the root counts: nothing happens inside the loop
    mgx.trace_backward(loss)  # the same pass, recorded
    assert loss._ctx.backward_runs == 3


def test_vanished_threshold_is_one_definition_at_its_boundary():
    assert measures.VANISHED_GRADIENT == 1e-6
    assert measures.vanished([0.99e-6, 0.0])
    assert not measures.vanished([1e-6])  # at the threshold: not vanished
    assert not measures.vanished([0.0, 0.0])  # zero is not vanished (a different verdict)
    assert not measures.vanished([np.nan])
    assert not measures.vanished([])


# ----------------------------------------------------------------------------- one graph per verdict
def test_no_backward_when_backward_never_ran():
    loss, t = neuron()
    d = why(loss, t["w1"])
    assert d.verdict == "no-backward"
    assert cited(d) == ["L", "w1"]
    assert "L.backward() was never run, so w1.grad is still None" in str(d)
    assert "Fix: call L.backward()" in str(d)


def test_no_backward_when_the_gradient_was_zeroed_since():
    loss, t = neuron(backward=True)
    t["w1"].grad = None
    d = why(loss, t["w1"])
    assert d.verdict == "no-backward"
    assert "reset to None" in str(d)
    # what one pass gives, by hand: ∂L/∂w1 = 2a·σ′(z)·x1 with z = 0.5
    a = sigmoid(0.5)
    assert f"∂L/∂w1 = {fmt(2 * a * a * (1 - a) * 2.0)}" in str(d)
    t["w1"].grad = np.zeros(())  # zero_grad(set_to_none=False)
    assert why(loss, t["w1"]).verdict == "no-backward"
    assert "reset to all 0" in str(why(loss, t["w1"]))


def test_not_connected_names_the_tensor_and_what_the_root_depends_on():
    w = T(0.5, requires_grad=True, name="w")
    u = T(1.0, requires_grad=True, name="u")
    loss = named(w * 3, "L")
    loss.backward()
    d = why(loss, u)
    assert d.verdict == "not-connected"
    assert cited(d) == ["u", "L"]
    assert d.evidence[0].tensor is u
    assert "L depends on: w." in str(d)


def test_not_connected_when_no_grad_cut_the_path():
    w = T(0.5, requires_grad=True, name="w")
    with mgx.no_grad():
        h = named(w * 2, "h")
    u = T(1.5, requires_grad=True, name="u")
    loss = named(h * u, "L")
    loss.backward()
    assert why(loss, w).verdict == "not-connected"
    d = why(loss, h)  # h is in the graph, but as a constant
    assert d.verdict == "not-requires-grad"
    assert cited(d) == ["h"]
    assert d.evidence[0].numbers == {"value": 1.0}


def test_not_connected_when_an_op_passes_no_gradient():
    class Frozen(mgx.Function):  # a custom op whose backward declines its input
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    w = T(0.5, requires_grad=True, name="w")
    loss = named(Frozen.apply(w) + 1, "L")
    loss.backward()
    d = why(loss, w)
    assert d.verdict == "not-connected"
    assert cited(d) == ["frozen(w)"]
    assert "frozen passes no gradient to w" in str(d)


def test_not_requires_grad_for_a_constant_and_for_a_root_made_under_no_grad():
    c = T(2.0, name="c")
    w = T(0.5, requires_grad=True, name="w")
    loss = named(c * w, "L")
    loss.backward()
    d = why(loss, c)
    assert d.verdict == "not-requires-grad"
    assert cited(d) == ["c"]
    assert "requires_grad=True" in d.fix
    with mgx.no_grad():
        loss2 = named(c * w, "L")
    d2 = why(loss2, w)
    assert d2.verdict == "not-requires-grad"
    assert cited(d2) == ["L"]
    assert "no_grad()" in str(d2)


def test_blocked_by_relu_on_the_dead_relu_network():
    net = networks.build("dead-relu")
    net.loss.backward()
    z1 = 0.5 * 1.0 + 0.3 * 2.0 - 5.0  # w1·x1 + w2·x2 + b1, by hand
    for key in ("w1", "w2", "b1"):
        d = why(net.loss, net.tensors[key])
        assert d.verdict == "blocked-by-relu"
        assert cited(d) == ["a1"]
        assert d.evidence[0].numbers["z1"] == pytest.approx(z1, abs=1e-15)
        assert f"z1 = {fmt(z1)}" in str(d)  # -3.9000
        assert "(1 if z1 > 0 else 0)" in str(d)  # ReLU's own derivative text
        assert f"∂L/∂{key} = 0, exactly" in str(d)


def test_blocked_by_relu_needs_every_path_blocked():
    w = T(0.5, requires_grad=True, name="w")
    dead = named((w - 5).relu(), "dead")
    alive = named((w + 5).relu(), "alive")
    assert why(named(dead + alive, "L"), w).verdict == "no-backward"
    loss = named(dead + alive, "L")
    loss.backward()
    assert why(loss, w).verdict == "ok"  # one path is open: ∂L/∂w = 1
    # A zero gradient with a dead ReLU on one path but a second path that is zero for another
    # reason (multiplied by 0) is not "blocked by ReLU": the verdict says the zero is the true one.
    w.grad = None
    loss2 = named(dead + w * 0.0, "L")
    loss2.backward()
    d = why(loss2, w)
    assert d.verdict == "ok"
    assert "no dead ReLU is to blame" in str(d)


def test_blocked_by_relu_at_the_kink_z_equal_0_as_pytorch():
    w = T(0.5, requires_grad=True, name="w")
    loss = named((w * 2 - 1).relu(), "L")  # z = 0 exactly: ReLU′(0) = 0
    loss.backward()
    assert why(loss, w).verdict == "blocked-by-relu"
    w2 = T(0.5, requires_grad=True, name="w")
    loss2 = named((w2 * 2 - 1 + 1e-12).relu(), "L")  # z > 0 by a hair: open
    loss2.backward()
    assert why(loss2, w2).verdict == "ok"


def test_blocked_by_relu_in_a_batch_mlp_cites_the_dead_layer_with_its_z():
    net = mgx.nn.MLP(2, [3, 1], activation="relu", rng=0)
    net.layers[0].bias.data[:] = -100.0
    X = T(np.random.default_rng(0).normal(size=(5, 2)))
    loss = mgx.mse_loss(net(X), T(np.ones((5, 1))))
    loss.backward()
    d = why(loss, net.layers[0].weight, model=net)
    assert d.verdict == "blocked-by-relu"
    assert [e.name for e in d.evidence] == ["a1"]
    z = X.data @ net.layers[0].weight.data + net.layers[0].bias.data
    assert np.array_equal(d.evidence[0].numbers["z1"], z)
    assert f"max {z.max():.4f}" in str(d)
    assert "∂L/∂W1 = 0 in all 6 entries, exactly" in str(d)
    # one unit alive: the weights into it learn, so the gradient is not all zero
    net.layers[0].bias.data[1] = 100.0
    net.zero_grad()
    loss = mgx.mse_loss(net(X), T(np.ones((5, 1))))
    loss.backward()
    assert why(loss, net.layers[0].weight, model=net).verdict == "ok"


def _sigmoid_chain(w0: float, n: int = 3, scale: float = 8.0, shift: float = 0.1):
    w = T(w0, requires_grad=True, name="w")
    a = w
    for k in range(1, n + 1):
        a = named(named(a * scale + shift, f"z{k}").sigmoid(), f"a{k}")
    return named(a * 1.0, "L"), w


def _chain_numpy(w: np.ndarray, n: int = 3, scale: float = 8.0, shift: float = 0.1) -> np.ndarray:
    a = w
    for _ in range(n):
        a = 1.0 / (1.0 + np.exp(-(a * scale + shift)))
    return a


def test_vanished_cites_the_saturated_sigmoids_and_their_real_slopes():
    loss, w = _sigmoid_chain(1.0)
    loss.backward()
    d = why(loss, w)
    assert d.verdict == "vanished"
    assert sorted(cited(d)) == ["a1", "a2", "a3"]
    # the gradient by central differences (the oracle), tiny but not zero
    g = central_diff(_chain_numpy, [np.array(1.0)], 0, np.array(1.0), eps=1e-4)
    assert 0 < abs(g) < 1e-6
    assert float(d.gradient) == pytest.approx(float(g), rel=1e-4)
    # each factor σ′(z) = σ(z)(1 − σ(z)), by hand from z computed by hand
    z, by_name = 1.0 * 8.0 + 0.1, {}
    for k in range(1, 4):
        by_name[f"a{k}"] = (z, sigmoid(z) * (1 - sigmoid(z)))
        z = sigmoid(z) * 8.0 + 0.1
    for e in d.evidence:
        zk, slope = by_name[e.name]
        assert e.numbers["σ′"] == pytest.approx(slope, rel=1e-12)
        assert e.numbers[f"z{e.name[1]}"] == pytest.approx(zk, rel=1e-12)
        assert f"{e.name}: σ′({zk:.4f}) = {fmt(slope)}" in str(d)  # σ′(8.1000) = 3.03e-04
    assert "3 of 3 saturated" in str(d)
    assert f"max |∂L/∂w| = {fmt(abs(float(g)))}" in str(d)


@pytest.mark.torch
def test_vanished_gradient_and_slopes_agree_with_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here")
    loss, w = _sigmoid_chain(1.0)
    loss.backward()
    d = why(loss, w)
    tw = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    a, slopes = tw, []
    for _ in range(3):
        a = torch.sigmoid(a * 8.0 + 0.1)
        slopes.append(float((a * (1 - a)).detach()))
    a.backward()
    assert float(d.gradient) == pytest.approx(float(tw.grad), rel=1e-12)
    assert sorted(e.numbers["σ′"] for e in d.evidence) == pytest.approx(sorted(slopes), rel=1e-12)


def test_vanished_boundary_and_tanh():
    loss, w = _sigmoid_chain(0.0, n=1, scale=1.0, shift=0.0)  # σ′(0) = 1/4: fine
    loss.backward()
    assert why(loss, w).verdict == "ok"

    def tanh2(scale):  # L = tanh(tanh(w·scale)) at w = 1; by hand: tanh′(s)·s·tanh′(tanh s)
        w = T(1.0, requires_grad=True, name="w")
        loss = named(named(w * scale, "z").tanh().tanh(), "L")
        loss.backward()
        return why(loss, w), (1 - math.tanh(scale) ** 2) * scale * (1 - math.tanh(math.tanh(scale)) ** 2)

    d, g = tanh2(8.0)
    assert 1e-6 < g < 2e-6 and d.verdict == "ok"  # just above the threshold: not vanished
    d, g = tanh2(9.0)
    assert 0 < g < 1e-6 and d.verdict == "vanished"
    assert float(d.gradient) == pytest.approx(g, rel=1e-9)
    assert cited(d)[0] == "tanh(z)"  # the smallest slope first: tanh′(9) = 6.1e-08
    assert d.evidence[0].numbers["tanh′"] == pytest.approx(1 - math.tanh(9.0) ** 2, rel=1e-9)


def test_vanished_without_a_saturating_activation_cites_the_op_that_shrinks_it():
    q = T(1.0, requires_grad=True, name="q")
    loss = named(q * 1e-9 + 1.0, "L")
    loss.backward()
    d = why(loss, q)
    assert d.verdict == "vanished"
    assert cited(d) == ["q·1e−09"]  # named by tensor_names (a real minus sign)
    assert d.evidence[0].numbers["factor"] == pytest.approx(1e-9)


def test_non_finite_forward_cites_the_first_op_with_finite_inputs():
    w = T(0.5, requires_grad=True, name="w")
    x = T(0.0, name="x")
    with np.errstate(all="ignore"):
        loss = named((w * x).log() * 2.0 + w, "L")
        loss.backward()
    d = why(loss, w)
    assert d.verdict == "non-finite-forward"
    assert cited(d) == ["log(w·x)", "w·x"]  # the log, not the ops after it that inherit -inf
    assert d.evidence[0].numbers["value"] == -math.inf
    assert "ln (w·x)" in str(d)  # the Log class's formula
    assert "L = -inf" in str(d)


def test_non_finite_forward_from_an_input_and_from_overflow():
    w = T(0.5, requires_grad=True, name="w")
    x = T(np.nan, name="x")
    loss = named(w * x, "L")
    with np.errstate(all="ignore"):
        loss.backward()
    d = why(loss, w)
    assert d.verdict == "non-finite-forward"
    assert cited(d) == ["x"]
    with np.errstate(all="ignore"):
        loss = named((w * 2000.0).exp() * 1.0, "L")
        loss.backward()
    d = why(loss, w)
    assert d.verdict == "non-finite-forward"
    assert cited(d)[0] == "exp(w·2000)"
    assert "709" in d.fix


def test_non_finite_backward_cites_the_op_and_its_derivative_rule():
    w = T(0.0, requires_grad=True, name="w")
    loss = named(w.sqrt() * 2.0, "L")
    with np.errstate(all="ignore"):
        loss.backward()
    assert np.isfinite(loss.data)  # √0 = 0: the forward pass is fine
    d = why(loss, w)
    assert d.verdict == "non-finite-backward"
    assert cited(d) == ["√(w)", "w"]
    assert "1/(2√w)" in str(d)  # Sqrt's own derivative text
    assert "upstream ∂L/∂√(w) = 2.0000 becomes inf" in str(d)
    # an inf on a branch that does not lead to w comes first in the backward pass: not cited
    u = T(0.0, requires_grad=True, name="u")
    loss = named(w.sqrt() + u.sqrt(), "L")  # √u is made last, so backward runs it first
    with np.errstate(all="ignore"):
        loss.backward()
    assert cited(why(loss, w))[0] == "√(w)"
    assert cited(why(loss, u))[0] == "√(u)"


def test_accumulated_twice_same_graph():
    loss, t = neuron()
    loss.backward()
    loss.backward()
    d = why(loss, t["w1"])
    assert d.verdict == "accumulated-twice"
    assert cited(d) == ["w1", "L"]
    a = sigmoid(0.5)
    one = 2 * a * a * (1 - a) * 2.0  # ∂L/∂w1, by hand
    assert "backward ran 2 times from L" in str(d)
    assert f"w1.grad = {fmt(2 * one)} = 2 × {fmt(one)}" in str(d)
    loss.backward()
    assert "= 3 × " in str(why(loss, t["w1"]))
    t["w1"].grad = None  # zeroed, then one more pass: fine again
    loss.backward()
    assert why(loss, t["w1"]).verdict == "ok"


def test_accumulated_claims_n_passes_only_when_the_counter_agrees():
    w = T(0.5, requires_grad=True, name="w")
    loss = named(w * 2, "L")
    loss.backward()  # w.grad = ∂L/∂w = 2: one pass of L, not two passes of anything
    d = why(w, w)  # but one pass of w itself gives ∂w/∂w = 1
    assert d.verdict == "accumulated-twice"
    assert "2 times" not in str(d) and "2 ×" not in str(d)
    assert "w is a leaf: its passes are not counted" in str(d)


def test_accumulated_twice_across_training_steps_without_zero_grad():
    p = T(np.array([1.0, -2.0]), requires_grad=True, name="p")
    for _ in range(3):
        loss = named((p * p).sum(), "L")
        loss.backward()
        with mgx.no_grad():
            p.data -= 0.1 * p.grad
    d = why(loss, p)
    assert d.verdict == "accumulated-twice"
    assert "never zeroed" in str(d)
    # the same loop with zero_grad is fine
    p = T(np.array([1.0, -2.0]), requires_grad=True, name="p")
    opt = mgx.optim.SGD([p], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        loss = named((p * p).sum(), "L")
        loss.backward()
        last = loss
    assert why(last, p).verdict == "ok"


def test_ok_on_the_notes_neuron_with_the_real_gradient():
    loss, t = neuron(backward=True)
    d = why(loss, t["w1"])
    assert d.verdict == "ok"
    a = sigmoid(0.5)
    assert float(d.gradient) == pytest.approx(2 * a * a * (1 - a) * 2.0, rel=1e-12)
    assert f"w1.grad = {fmt(2 * a * a * (1 - a) * 2.0)}" in str(d)


def test_ok_for_a_true_zero_names_the_op_where_it_stops():
    w = T(0.5, requires_grad=True, name="w")
    loss = named((w * 3 - 1.5) ** 2, "L")  # at the minimum: ∂L/∂w = 2(3w − 1.5)·3 = 0
    loss.backward()
    d = why(loss, w)
    assert d.verdict == "ok"
    assert cited(d) == ["w", "L"]
    assert "the gradient stops at L (pow)" in str(d)


def test_every_verdict_has_a_test_here():
    text = Path(__file__).read_text(encoding="utf-8")
    for verdict in VERDICTS:
        assert f'verdict == "{verdict}"' in text, verdict


# ----------------------------------------------------------------------------- no side effects
def test_why_changes_no_grad_no_counter_and_keeps_the_in_place_check():
    loss, t = neuron(backward=True)
    grads = {k: v.grad for k, v in t.items()}
    values = {k: None if g is None else g.copy() for k, g in grads.items()}
    for k in t:
        why(loss, t[k])
    assert all(t[k].grad is grads[k] for k in t)  # the same arrays …
    assert all(values[k] is None or np.array_equal(t[k].grad, values[k]) for k in t)  # … unchanged
    assert loss._ctx.backward_runs == 1
    # a leaf changed in place after the forward pass is still caught by the next backward()
    w = T(0.5, requires_grad=True, name="w")
    loss = named(w * w, "L")
    why(loss, w)
    w.data[...] = 7.0  # after why(): its pass must not have disarmed the check
    with pytest.raises(RuntimeError, match="changed in place"):
        why(loss, w)  # why's own pass sees the change …
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()  # … and leaves the check armed for the real one


def test_bad_arguments_name_what_was_expected():
    loss, t = neuron()
    with pytest.raises(TypeError, match="why: root must be a Tensor, got float"):
        why(1.0, t["w1"])
    with pytest.raises(TypeError, match="why: wrt must be a Tensor, got str"):
        why(loss, "w1")


def test_diagnosis_is_frozen_and_public():
    loss, t = neuron(backward=True)
    d = mgx.why(loss, t["w1"])
    assert isinstance(d, mgx.Diagnosis)
    with pytest.raises(AttributeError):
        d.verdict = "ok"  # type: ignore[misc]
    assert str(d) == d.text and d.text.endswith(d.fix)
    assert str(d.evidence[0]).startswith("w1: its gradient (grad = ")


# ----------------------------------------------------------------------------- the CLI and the docs
def test_cli_graph_dead_relu_prints_the_diagnosis(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "microgradx", "graph", "dead-relu", "--out", "g.dot"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("why: ")]
    assert lines[0].startswith("why: blocked-by-relu: every path from w1 to L runs through a ReLU")
    assert "z1 = -3.9000" in lines[0]
    assert lines[1] == "why: the same for w2, b1 (blocked-by-relu)."
    ok = subprocess.run(
        [sys.executable, "-m", "microgradx", "graph", "neuron", "--out", "n.dot"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "why:" not in ok.stdout  # nothing to explain


def test_docs_page_blocks_run_and_print_what_the_page_shows(capsys):
    page = (ROOT / "docs" / "why.md").read_text(encoding="utf-8")
    pairs = re.findall(r"```python\n(.*?)```\n+Prints:\n+```text\n(.*?)```", page, re.S)
    assert len(pairs) >= 5
    namespace: dict = {}
    verdicts = set()
    for code, shown in pairs:
        with np.errstate(all="ignore"):
            exec(compile(code, "docs/why.md", "exec"), namespace)
        out = capsys.readouterr().out
        assert out.strip() == shown.strip()
        verdicts |= set(re.findall(r"^([a-z-]+):", out, re.M))
    assert set(VERDICTS) <= verdicts  # a runnable example per verdict
