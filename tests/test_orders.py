"""`compare_orders`: naive backward orders beside the engine's. Oracles: the values derived by hand
in the issue (8 vs 2, 4 vs 8), central differences, and a recursive replay written out here the
way a learner writes it (independent of the iterative one in microgradx.viz.orders)."""

from __future__ import annotations

import numpy as np
import pytest
from oracles import central_diff

import microgradx as mgx
from microgradx.viz.orders import MAX_NAIVE_STEPS, ORDERS, NaiveStep, OrderReport, compare_orders


def canonical():
    a = mgx.Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    d = 3 * b
    d.name = "d"
    e = b + d
    e.name = "e"
    return e, a, b


def twice_twice():
    a = mgx.Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    c = b + b
    c.name = "c"
    return c, a


def test_canonical_case_names_b_with_8_and_2():
    e, _a, b = canonical()
    report = compare_orders(e)
    assert isinstance(report, OrderReport)
    assert report.order == "pre-order"
    assert report.mismatches == [("a", 8.0, 2.0)]
    step = report.steps[report.first_bad_step]
    assert isinstance(step, NaiveStep)
    assert step.node is b
    assert step.name == "b"
    assert float(step.upstream) == 1.0
    assert float(step.early) == 3.0
    text = str(report)
    assert "b passed its gradient on before all its contributions had arrived" in text
    assert "∂e/∂b = 1.0000" in text
    assert "complete: 4.0000" in text
    assert "∂e/∂a  8.0000  vs  2.0000" in text
    # True ∂e/∂a = 8 by central differences (e = 2a + 3·2a = 8a).
    assert float(central_diff(lambda x: 8 * x, [np.array(1.0)], 0, np.array(1.0))) == pytest.approx(8.0)
    assert report.correct["a"] == 8.0
    assert report.naive["a"] == 2.0
    assert report.naive["b"] == 4.0


def test_no_visited_counts_a_shared_node_twice():
    c, _a = twice_twice()
    report = compare_orders(c, "no-visited")
    assert report.mismatches == [("a", 4.0, 8.0)]
    bad = report.steps[report.first_bad_step]
    assert bad.repeat
    assert bad.name == "b"
    assert report.first_bad_step == 2
    assert "b ran its backward a second time" in str(report)
    # With a visited set that graph is fine: every contribution to b comes from c's one step.
    fine = compare_orders(c)
    assert fine.mismatches == []
    assert fine.first_bad_step is None
    assert "the orders agree" in str(fine)


def test_nothing_is_touched():
    e, a, b = canonical()
    assert compare_orders(e).mismatches
    assert a.grad is None
    assert b.grad is None
    assert e.grad is None
    e.backward()
    held = a.grad
    compare_orders(e, "no-visited")
    assert a.grad is held
    assert float(held) == 8.0


@pytest.mark.parametrize("order", list(ORDERS))
def test_the_in_place_check_and_the_backward_counter_survive(order):
    """compare_orders runs a backward pass of its own; it must not disarm the engine's in-place
    check (the real backward would then silently use the changed w: 2·7 = 14 instead of raising)
    nor count as a pass of the user's (why would read a second pass as 'accumulated-twice')."""
    w = mgx.Tensor(0.5, requires_grad=True, name="w")
    L = w * w
    L.name = "L"
    compare_orders(L, order)
    assert L._ctx.backward_runs == 0
    w.data[...] = 7.0
    with pytest.raises(RuntimeError, match=r"'w' .*changed in place"):
        L.backward()
    # after a real backward: compare_orders, then backward again is one more pass, counted once
    w2 = mgx.Tensor(0.5, requires_grad=True, name="w2")
    L2 = w2 * w2
    L2.backward()
    compare_orders(L2, order)
    assert L2._ctx.backward_runs == 1 and float(w2.grad) == 1.0
    assert mgx.why(L2, w2).verdict == "ok"


@pytest.mark.parametrize("order", list(ORDERS))
def test_on_a_tree_the_orders_agree(order):
    w = [mgx.Tensor(v, requires_grad=True, name=f"w{i}") for i, v in enumerate([0.5, -1.5, 2.0, 0.25])]
    x = [mgx.Tensor(v, name=f"x{i}") for i, v in enumerate([1.0, 2.0, -1.0, 3.0])]
    loss = ((w[0] * x[0] + w[1] * x[1]).sigmoid() * (w[2] * x[2] - w[3] * x[3]).tanh()) ** 2
    report = compare_orders(loss, order)
    assert report.mismatches == []
    assert report.first_bad_step is None
    assert len(report.steps) == len(report.trace)
    assert set(report.naive) == set(report.correct)


def _learner(root, visited_set):
    """The recursion a learner writes: pre-order, feeding each node what has arrived so far."""
    grads = {id(root): np.ones_like(root.data)}
    visited = set()

    def visit(node):
        if node._ctx is None or (visited_set and id(node) in visited):
            return
        visited.add(id(node))
        ctx = node._ctx
        out = type(ctx).backward(ctx, grads[id(node)])
        out = out if isinstance(out, tuple) else (out,)
        for p, g in zip(ctx.parents, out, strict=True):
            if g is not None and p.requires_grad:
                grads[id(p)] = grads.get(id(p), 0) + g
        for p in ctx.parents:
            visit(p)

    visit(root)
    return grads


@pytest.mark.parametrize(("order", "visited_set"), [("pre-order", True), ("no-visited", False)])
def test_replay_equals_the_learners_recursion(order, visited_set):
    x = mgx.Tensor(0.7, requires_grad=True, name="x")
    y = mgx.Tensor(-1.2, requires_grad=True, name="y")
    u = x * y
    u.name = "u"
    v = u.sigmoid() + x
    v.name = "v"
    w = v * u - y * v
    w.name = "w"
    loss = w.tanh() + v * v
    report = compare_orders(loss, order)
    expected = _learner(loss, visited_set)
    by_name = {report.names[key]: g for key, g in expected.items()}
    assert set(by_name) == set(report.naive)
    for name, g in by_name.items():
        assert report.naive[name] == pytest.approx(float(g), abs=1e-12)
    assert report.mismatches  # this graph does go wrong in both orders
    # And the correct side is the engine's: backward on the same graph.
    loss.backward()
    assert report.correct["x"] == pytest.approx(float(x.grad), abs=0)
    assert report.correct["y"] == float(y.grad)


def test_naive_run_as_a_stepper():
    e, a, _ = canonical()
    report = compare_orders(e)
    s = report.stepper()
    assert len(s) == 3 + len(report.steps)
    assert "pre-order" in s.title
    assert s.frames[-1].values["a"] == "a | data 1.0000 | grad 2.0000"  # the naive answer
    assert "⚠ too early: 3.0000 more will still arrive at b" in s.frames[4].text
    assert a.grad is None
    page = s.html()
    assert "grad 2.0000" in page.split("<script")[0]
    assert "http" not in page


def test_arrays_and_broadcasting():
    X = mgx.Tensor(np.array([[1.0, 2.0], [3.0, -1.0]]), name="X")
    W = mgx.Tensor(np.array([[0.5, -0.5], [1.0, 0.25]]), requires_grad=True, name="W")
    b = mgx.Tensor(np.array([0.1, -0.2]), requires_grad=True, name="b")
    h = (X @ W + b).sigmoid()
    h.name = "h"
    loss = (h + h * h).sum()  # h is reached through + before h·h has added to it
    report = compare_orders(loss)
    assert {name for name, _, _ in report.mismatches} >= {"W", "b"}
    _name, correct, naive = next(m for m in report.mismatches if m[0] == "W")
    assert correct.shape == naive.shape == (2, 2)
    loss.backward()
    np.testing.assert_allclose(correct, W.grad, rtol=1e-15)


def test_errors_and_limits():
    e, _, _ = canonical()
    with pytest.raises(ValueError, match="'pre-order', 'no-visited'"):
        compare_orders(e, "post-order")
    with pytest.raises(TypeError, match="must be a Tensor"):
        compare_orders(2.0)
    x = mgx.Tensor(1.0, requires_grad=True, name="x")
    for _ in range(20):  # 2^20 root-to-leaf paths: the recursion without visited set explodes
        x = x + x
    with pytest.raises(ValueError, match=str(MAX_NAIVE_STEPS)):
        compare_orders(x, "no-visited")
    assert compare_orders(x).first_bad_step is None  # pre-order on a chain of shared nodes is fine


def test_deep_chain_needs_no_recursion():
    x = mgx.Tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(5000):
        y = y * 1.0
    assert compare_orders(y).mismatches == []


def test_the_watching_backprop_page_quotes_the_real_reports():
    """docs/watching-backprop.md prints both naive reports: they are what the code says."""
    import pathlib
    import re

    page = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "watching-backprop.md").read_text(
        encoding="utf-8"
    )
    quoted = re.findall(r"```text\n(.*?)```", page, re.S)
    e, _, _ = canonical()
    a2 = mgx.Tensor(1.0, requires_grad=True, name="a")
    b2 = a2 + a2
    b2.name = "b"
    c2 = b2 + b2
    c2.name = "c"
    expected = [str(mgx.compare_orders(e)), str(mgx.compare_orders(c2, order="no-visited"))]
    assert [q.strip() for q in quoted] == [x.strip() for x in expected]
