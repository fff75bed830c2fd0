"""Issue 15's ops at their kinks and ties, at |x| = 1e3, and their errors.

Values and gradients in the broad shape groups are in the spec table (``oracles.SPECS``, run by
``test_ops.py`` against central differences, HIPS autograd and PyTorch). Here: the points where
a derivative has to be *chosen* (kinks, ties), checked against PyTorch's choice and against the
numbers written in the docstrings, plus gradcheck, comparisons and bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import microgradx as mgx
from microgradx import functional as F


def _grad(fn, *arrays):
    ts = [mgx.Tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*ts)
    out.backward(np.ones(out.shape))
    return out.data, [t.grad for t in ts]


# ---------------------------------------------------------------- kinks and ties, stated values
KINKS = [
    # (name, mgx fn, torch fn, inputs, expected gradients as the docstrings state them)
    ("abs at 0", lambda a: a.abs(), lambda a: a.abs(), ([-1.0, 0.0, 2.0],), [[-1.0, 0.0, 1.0]]),
    (
        "clip at both bounds",
        lambda a: a.clip(-1.0, 1.0),
        lambda a: a.clamp(-1.0, 1.0),
        ([-2.0, -1.0, 0.0, 1.0, 2.0],),
        [[0.0, 1.0, 1.0, 1.0, 0.0]],
    ),
    (
        "clip with min == max",
        lambda a: a.clip(0.0, 0.0),
        lambda a: a.clamp(0.0, 0.0),
        ([-1.0, 0.0, 1.0],),
        [[0.0, 1.0, 0.0]],
    ),
    ("max with a tie", lambda a: a.max(), lambda a: a.max(), ([1.0, 3.0, 3.0, 2.0],), [[0, 0.5, 0.5, 0]]),
    ("max three-way tie", lambda a: a.max(), lambda a: a.amax(), ([2.0, 2.0, 2.0],), [[1 / 3, 1 / 3, 1 / 3]]),
    (
        "max over an axis with ties",
        lambda a: a.max(axis=1),
        lambda a: a.amax(dim=1),
        ([[1.0, 1.0], [0.0, 5.0]],),
        [[[0.5, 0.5], [0.0, 1.0]]],
    ),
    ("min with a tie", lambda a: a.min(), lambda a: a.min(), ([1.0, 0.0, 0.0],), [[0, 0.5, 0.5]]),
    (
        "maximum at ties",
        F.maximum,
        lambda a, b: __import__("torch").maximum(a, b),
        ([1.0, 2.0, 0.0], [1.0, 1.0, 0.0]),
        [[0.5, 1.0, 0.5], [0.5, 0.0, 0.5]],
    ),
    (
        "minimum at ties",
        F.minimum,
        lambda a, b: __import__("torch").minimum(a, b),
        ([1.0, 2.0], [1.0, 3.0]),
        [[0.5, 1.0], [0.5, 0.0]],
    ),
    (
        "std of equal values",
        lambda a: a.std(),
        lambda a: a.std(correction=0),
        ([3.0, 3.0, 3.0],),
        [[0, 0, 0]],
    ),
    ("sqrt at 0", lambda a: a.sqrt(), lambda a: a.sqrt(), ([0.0, 4.0],), [[np.inf, 0.25]]),
    (
        "softplus at the threshold",
        lambda a: a.softplus(),
        lambda a: __import__("torch").nn.functional.softplus(a),
        ([20.0, 20.000001, 19.999],),
        [[1 / (1 + np.exp(-20.0)), 1.0, 1 / (1 + np.exp(-19.999))]],
    ),
]


@pytest.mark.parametrize("case", KINKS, ids=[c[0] for c in KINKS])
def test_kinks_and_ties_take_the_documented_value(case):
    _, fn, _, inputs, expected = case
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, grads = _grad(fn, *inputs)
    for g, e in zip(grads, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=0)


@pytest.mark.torch
@pytest.mark.parametrize("case", KINKS, ids=[c[0] for c in KINKS])
def test_kinks_and_ties_match_pytorch(case):
    torch = pytest.importorskip("torch")
    _, fn, torch_fn, inputs, _ = case
    value, grads = _grad(fn, *inputs)
    tts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out = torch_fn(*tts)
    out.backward(torch.ones_like(out))
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-12, atol=1e-300)
    for g, tt in zip(grads, tts, strict=True):
        np.testing.assert_allclose(g, tt.grad.numpy(), rtol=1e-9, atol=1e-300)


# ---------------------------------------------------------------- extremes: |x| = 1e3, no warnings
BIG = np.array([-1e3, -30.0, 0.0, 30.0, 1e3])
EXTREME = [
    ("abs", lambda a: a.abs()),
    ("clip", lambda a: a.clip(-1, 1)),
    ("max", lambda a: a.max()),
    ("min", lambda a: a.min(axis=0)),
    ("var", lambda a: a.var()),
    ("std", lambda a: a.std(ddof=1)),
    ("maximum", lambda a: F.maximum(a, 0.0)),
    ("where", lambda a: F.where(a > 0, a, -a)),
    ("softplus", lambda a: F.softplus(a)),
    ("softmax", lambda a: F.softmax(a)),
    ("log_softmax", lambda a: F.log_softmax(a)),
    ("cross_entropy", lambda a: F.cross_entropy(a.reshape(1, 5), [0])),
    ("cross_entropy probs", lambda a: F.cross_entropy(a, np.full(5, 0.2))),
    ("sqrt", lambda a: (a.abs() + 1).sqrt()),
    ("log1p", lambda a: a.abs().log1p()),
]


@pytest.mark.parametrize("case", EXTREME, ids=[c[0] for c in EXTREME])
def test_no_warning_and_finite_at_1e3(case):
    _, fn = case
    x = mgx.Tensor(BIG, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(x)
        out.backward(np.ones(out.shape))
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))


@pytest.mark.torch
@pytest.mark.parametrize("case", EXTREME, ids=[c[0] for c in EXTREME])
def test_extremes_match_pytorch(case):
    torch = pytest.importorskip("torch")
    name, fn = case
    torch_fns = {
        "abs": lambda a: a.abs(),
        "clip": lambda a: a.clamp(-1, 1),
        "max": lambda a: a.amax(),
        "min": lambda a: a.amin(dim=0),
        "var": lambda a: a.var(correction=0),
        "std": lambda a: a.std(correction=1),
        "maximum": lambda a: torch.maximum(a, torch.zeros_like(a)),
        "where": lambda a: torch.where(a > 0, a, -a),
        "softplus": torch.nn.functional.softplus,
        "softmax": lambda a: a.softmax(-1),
        "log_softmax": lambda a: a.log_softmax(-1),
        "cross_entropy": lambda a: torch.nn.functional.cross_entropy(a.reshape(1, 5), torch.tensor([0])),
        "cross_entropy probs": lambda a: torch.nn.functional.cross_entropy(
            a, torch.full((5,), 0.2, dtype=torch.float64)
        ),
        "sqrt": lambda a: (a.abs() + 1).sqrt(),
        "log1p": lambda a: a.abs().log1p(),
    }
    x = mgx.Tensor(BIG, requires_grad=True)
    out = fn(x)
    out.backward(np.ones(out.shape))
    tx = torch.tensor(BIG, requires_grad=True)
    tout = torch_fns[name](tx)
    tout.backward(torch.ones_like(tout))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-9, atol=1e-300)


def test_softplus_keeps_tiny_values_for_very_negative_inputs():
    # ln(1 + e^z) ≈ e^z for z ≪ 0: a naive log(1 + exp(z)) rounds to 0 below z ≈ −37.
    out = F.softplus(mgx.Tensor([-50.0, -700.0]))
    np.testing.assert_allclose(out.data, [np.exp(-50.0), np.exp(-700.0)], rtol=1e-12)


def test_log_softmax_is_finite_where_log_of_softmax_is_not():
    z = mgx.Tensor([[0.0, 1000.0]])
    np.testing.assert_allclose(F.log_softmax(z).data, [[-1000.0, 0.0]])
    np.testing.assert_allclose(F.softmax(z).data, [[0.0, 1.0]])


# ---------------------------------------------------------------- gradcheck (the package's own checker)
GRADCHECK = [
    ("abs", lambda a: a.abs(), [0.5, -1.5, 2.0]),
    ("sqrt", lambda a: a.sqrt(), [0.5, 1.5, 2.0]),
    ("log1p", lambda a: a.log1p(), [-0.5, 0.5, 3.0]),
    ("clip", lambda a: a.clip(-1, 1), [-1.5, 0.2, 0.7, 1.5]),
    ("max axis", lambda a: a.max(axis=0), [[1.0, 2.0], [3.0, -1.0]]),
    ("min keepdims", lambda a: a.min(axis=1, keepdims=True), [[1.0, 2.0], [3.0, -1.0]]),
    ("var ddof", lambda a: a.var(axis=1, ddof=1), [[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]]),
    ("std", lambda a: a.std(), [1.0, 2.0, 4.0, -2.0]),
    ("softplus", lambda a: a.softplus(beta=0.5), [-3.0, 0.0, 3.0]),
    ("softmax", lambda a: a.softmax(axis=0), [[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]]),
    ("log_softmax", lambda a: a.log_softmax(), [[1.0, 2.0, 0.1], [3.0, -1.0, 0.0]]),
    ("cross_entropy", lambda a: F.cross_entropy(a, [2, 0]), [[1.0, 2.0, 0.1], [3.0, -1.0, 0.0]]),
    ("flatten", lambda a: a.flatten() * mgx.Tensor([1.0, 2.0, 3.0, 4.0]), [[1.0, 2.0], [3.0, 4.0]]),
    ("squeeze", lambda a: a.squeeze(1) * mgx.Tensor([1.0, 2.0]), [[1.0], [3.0]]),
    ("unsqueeze", lambda a: a.unsqueeze(0) * mgx.Tensor([[1.0, 2.0]]), [1.0, 3.0]),
]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck(case):
    _, fn, data = case
    assert mgx.gradcheck(fn, mgx.Tensor(data, requires_grad=True))


def test_gradcheck_of_the_joining_ops_and_binary_ops():
    a = mgx.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = mgx.Tensor([[0.5, -1.0]], requires_grad=True)
    w = mgx.Tensor(np.arange(6.0).reshape(3, 2))
    assert mgx.gradcheck(lambda a, b: F.concatenate([a, b]) * w, a, b)
    assert mgx.gradcheck(lambda a, b: F.stack([a, a * b], axis=2), a, b)
    assert mgx.gradcheck(lambda a, b: F.maximum(a, b) + F.minimum(a, b * 3), a, b)
    mask = np.array([[True, False], [False, True]])
    assert mgx.gradcheck(lambda a, b: F.where(mask, a * a, b), a, b)
    p = mgx.Tensor([[0.2, 0.8], [0.5, 0.5]], requires_grad=True)
    assert mgx.gradcheck(lambda a, p: F.cross_entropy(a, p), a, p)


def test_a_tensor_used_twice_in_concatenate_gets_both_slices():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    out = F.concatenate([x, x, x * 3])
    out.backward(np.arange(6.0))
    np.testing.assert_array_equal(x.grad, [0 + 2 + 3 * 4, 1 + 3 + 3 * 5])


# ---------------------------------------------------------------- comparisons and `==`
def test_comparisons_return_numpy_bool_arrays():
    x = mgx.Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = mgx.Tensor([0.0, 0.0, 0.0])
    for got, want in [
        (x > 0, [False, False, True]),
        (x >= 0, [False, True, True]),
        (x < y, [True, False, False]),
        (x <= y, [True, True, False]),
        (x > 0, [False, False, True]),  # reflected: int.__lt__ defers to Tensor.__gt__
        (np.zeros(3) > x, [True, False, False]),  # an ndarray on the left defers too
    ]:
        assert type(got) is np.ndarray and got.dtype == np.bool_
        assert got.tolist() == want


def test_a_comparison_is_a_mask_for_where_and_indexing():
    x = mgx.Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    out = F.where(x > 0, x * x, mgx.Tensor(0.0))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 4.0])
    assert x[x > 0].data.tolist() == [0.5, 2.0]


def test_equality_stays_identity():
    a, b = mgx.Tensor([1.0]), mgx.Tensor([1.0])
    assert (a == a) is True and (a == b) is False and (a != b) is True
    assert len({a, b}) == 2  # tensors are hashable graph nodes


# ---------------------------------------------------------------- shapes and errors
def test_shaping_ops():
    x = mgx.Tensor(np.zeros((2, 1, 3, 1)), requires_grad=True)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(axis=(1, -1)).shape == (2, 3)
    assert x.flatten().shape == (6,) and x.flatten().op == "flatten"
    assert mgx.Tensor(np.zeros(3)).unsqueeze(0).shape == (1, 3)
    assert mgx.Tensor(np.zeros(3)).unsqueeze(-1).shape == (3, 1)
    assert mgx.Tensor(5.0).unsqueeze(0).shape == (1,)
    assert mgx.Tensor(np.zeros((2, 3))).max(axis=(0, 1), keepdims=True).shape == (1, 1)


def test_float32_in_float32_out():
    a = mgx.Tensor(np.ones(3, np.float32), requires_grad=True)
    for out in (
        F.maximum(a, 0.5),
        F.clip(a, 0, 2),
        F.softplus(a),
        F.cross_entropy(a, 1),
        a.std(),
        F.stack([a, a]),
    ):
        assert out.dtype == np.float32
    F.cross_entropy(a, 1).backward()
    assert a.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: x.clip(2.0, 1.0), ValueError, r"clip: min=2.0 is larger than max=1.0"),
        (lambda x: x.clip(float("nan")), ValueError, "min must be a real number or None, got nan"),
        (lambda x: x.squeeze(0), ValueError, "cannot squeeze axis 0: it has length 2"),
        (lambda x: x.unsqueeze(4), ValueError, "axis 4 is out of range"),
        (lambda x: x.max(axis=2), ValueError, "max: axis 2 is out of bounds"),
        (lambda x: x.var(ddof=6), ValueError, r"var: ddof=6 needs more than 6 element\(s\)"),
        (lambda x: x.std(ddof=-1), ValueError, "ddof must be a non-negative int, got -1"),
        (lambda x: x.softplus(beta=0), ValueError, "softplus: beta must be > 0, got 0"),
        (lambda x: x.softmax(axis=2), ValueError, "softmax: axis 2 is out of range"),
        (lambda x: F.where(x, x, x), TypeError, "condition must be a boolean array"),
        (lambda x: F.where(np.ones(3), x, x), TypeError, "got dtype float64"),
        (lambda x: F.concatenate([]), ValueError, "needs at least one tensor"),
        (
            lambda x: F.concatenate(x),
            TypeError,
            r"expected a sequence of tensors, e.g. concatenate\(\[a, b\]\)",
        ),
        (lambda x: F.concatenate([x, mgx.Tensor(np.ones((2, 2)))]), ValueError, "concatenate: "),
        (lambda x: F.concatenate([mgx.Tensor(1.0)]), ValueError, "zero-dimensional"),
        (lambda x: F.stack([x, x.T]), ValueError, r"stack: all tensors must have the same shape"),
        (lambda x: F.stack([x], axis=3), ValueError, "axis 3 is out of range for 3-D results"),
        (lambda x: mgx.Tensor(np.ones(0)).max(), ValueError, "max of an empty tensor"),
    ],
)
def test_bad_arguments_name_the_value(call, error, match):
    x = mgx.Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(error, match=match):
        call(x)
