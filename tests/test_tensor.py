"""Tensor basics: construction and dtypes, backward semantics, errors, deep graphs."""

import sys

import numpy as np
import pytest

import microgradx as mgx


def test_micrograd_sanity_check():
    # micrograd's test_sanity_check (values from its PyTorch comparison)
    x = mgx.Tensor(-4.0, requires_grad=True)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.item() == -20.0
    assert x.grad == 46.0


def test_micrograd_readme_expression():
    a = mgx.Tensor(-4.0, requires_grad=True)
    b = mgx.Tensor(2.0, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    assert g.item() == pytest.approx(24.70408163265306, rel=1e-14)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-12)


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (1, np.float64),
        (2.5, np.float64),
        ([1, 2], np.float64),
        (True, np.float64),
        (np.arange(3), np.float64),
        (np.ones(2, np.float32), np.float32),
        (np.ones(2, np.float64), np.float64),
        (np.array([1, 0], dtype=bool), np.float64),
    ],
)
def test_default_dtypes(data, dtype):
    assert mgx.Tensor(data).dtype == dtype


def test_explicit_dtype_and_copy():
    a = np.ones(3)
    t = mgx.Tensor(a, dtype="float32")
    assert t.dtype == np.float32
    t2 = mgx.Tensor(a)
    a[0] = 5
    assert t2.data[0] == 1.0  # copied
    with pytest.raises(TypeError, match="floating"):
        mgx.Tensor(a, dtype="int64")


@pytest.mark.parametrize(
    "bad",
    ["abc", ["a", "b"], np.array(["x"]), np.array([object()], dtype=object), [1, [2, 3]], {"a": 1}, 1 + 2j],
)
def test_non_numeric_data_raises(bad):
    with pytest.raises((TypeError, ValueError)):
        mgx.Tensor(bad)


def test_attributes():
    t = mgx.Tensor(np.zeros((2, 3)), requires_grad=True, name="W")
    assert (t.shape, t.ndim, t.size, t.dtype, t.name, t.op, t.grad) == (
        (2, 3),
        2,
        6,
        np.float64,
        "W",
        None,
        None,
    )
    y = (t * 2).sum()
    assert y.op == "sum" and y.requires_grad
    t.name = "weights"
    assert t.name == "weights"
    assert mgx.Tensor([3.0]).item() == 3.0
    with pytest.raises(ValueError, match="one-element"):
        t.item()
    assert t.numpy() is t.data
    assert "W" in repr(t) or "weights" in repr(t)


def test_backward_non_scalar_without_gradient_raises():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\)"):
        (x * 2).backward()


def test_backward_gradient_shape_checked():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_through_tensor_without_grad_raises():
    x = mgx.Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).sum().backward()


def test_no_grad_makes_leaves():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    with mgx.no_grad():
        y = x * 2
        assert not mgx.is_grad_enabled()
    assert mgx.is_grad_enabled()
    assert y.op is None and not y.requires_grad and y._ctx is None
    with pytest.raises(RuntimeError):
        y.sum().backward()


def test_detach_cuts_the_graph():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 3).detach()
    assert d.op is None and not d.requires_grad
    y = (d * x).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])


def test_gradients_accumulate_across_uses_and_calls():
    x = mgx.Tensor(3.0, requires_grad=True)
    y = x * x  # x used twice: dy/dx = 2x
    y.backward()
    assert x.grad == 6.0
    y.backward()  # a second call adds
    assert x.grad == 12.0
    x.zero_grad()
    assert x.grad is None


def test_intermediate_tensors_keep_grad_and_each_call_adds_once():
    x = mgx.Tensor(2.0, requires_grad=True)
    h = x * 3
    y = h * h  # dy/dh = 2h = 12, dy/dx = 36
    y.backward()
    assert (y.grad, h.grad, x.grad) == (1.0, 12.0, 36.0)
    y.backward()
    assert (y.grad, h.grad, x.grad) == (2.0, 24.0, 72.0)


def test_grads_do_not_alias_each_other():
    # add passes the same upstream array to both parents; mutating one .grad must not change the other
    a = mgx.Tensor(np.ones(3), requires_grad=True)
    b = mgx.Tensor(np.ones(3), requires_grad=True)
    s = a + b
    s.backward(np.ones(3))
    a.grad[0] = 100.0
    np.testing.assert_array_equal(b.grad, np.ones(3))
    np.testing.assert_array_equal(s.grad, np.ones(3))
    r = mgx.Tensor(np.ones((2, 3)), requires_grad=True)
    v = r.reshape(6)
    v.backward(np.arange(6.0))
    r.grad[0, 0] = -1.0
    assert v.grad[0] == 0.0


def _no_two_grads_share_memory(root):
    from microgradx.autograd import topological_order

    grads = [t.grad for t in topological_order(root) if t.grad is not None]
    for i, g in enumerate(grads):
        for h in grads[i + 1 :]:
            assert not np.shares_memory(g, h)
    return len(grads)


class _Twice(mgx.Function):
    """out = 2a + 2b; backward hands one new array to both inputs."""

    @staticmethod
    def forward(ctx, a, b):
        return 2 * a + 2 * b

    @staticmethod
    def backward(ctx, grad):
        x = 2 * grad
        return x, x


class _Mixed(mgx.Function):
    """out = 2a + b; backward returns a new array, then its own upstream gradient."""

    @staticmethod
    def forward(ctx, a, b):
        return 2 * a + b

    @staticmethod
    def backward(ctx, grad):
        return 2 * grad, grad


class _Three(mgx.Function):
    """out = 2a + b + 2c; backward returns one new array for the first and the last input."""

    @staticmethod
    def forward(ctx, a, b, c):
        return 2 * a + b + 2 * c

    @staticmethod
    def backward(ctx, grad):
        x = 2 * grad
        return x, grad * 1.0, x


class _View(mgx.Function):
    """out = a + b; backward returns views of one new array."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        x = np.stack([grad, grad])
        return x[0], x[1]


@pytest.mark.parametrize("op", [_Twice, _Mixed, _Three, _View])
def test_no_two_grads_share_memory_whatever_a_backward_returns(op):
    a = mgx.Tensor(np.ones(3), requires_grad=True)
    b = mgx.Tensor(np.ones(3), requires_grad=True)
    inputs = (a * 1.0, b + 0.0, a - 0.0)[: 3 if op is _Three else 2]
    out = op.apply(*inputs)
    y = (out + 0.0).reshape(3).sum()
    y.backward()
    assert _no_two_grads_share_memory(y) >= 6
    y.backward()  # a second pass adds into the same arrays: still no sharing
    _no_two_grads_share_memory(y)


def test_only_tensors_requiring_grad_get_grad():
    x = mgx.Tensor(2.0, requires_grad=True)
    c = mgx.Tensor(5.0)
    (x * c).backward()
    assert x.grad == 5.0 and c.grad is None


@pytest.mark.slow
def test_deep_chain_of_100000_ops_backprops_iteratively():
    x = mgx.Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    y.backward()
    assert x.grad == 1.0
    assert sys.getrecursionlimit() == limit


def test_deep_tanh_chain_matches_hand_recurrence():
    x = mgx.Tensor(0.3, requires_grad=True)
    y = x
    for _ in range(2000):
        y = (y * 1.0001 + 0.0001).tanh()
    y.backward()
    # independent recurrence: d/dx of the same map, by hand in floats
    v, d = 0.3, 1.0
    for _ in range(2000):
        v = np.tanh(v * 1.0001 + 0.0001)
        d *= 1.0001 * (1 - v * v)
    assert y.item() == pytest.approx(v, rel=1e-12)
    assert x.grad == pytest.approx(d, rel=1e-9)


@pytest.mark.parametrize(
    ("op", "a", "b"),
    [
        ("add", (3,), (4,)),
        ("mul", (2, 3), (3, 2)),
        ("sub", (5,), (2,)),
        ("div", (2, 2), (3,)),
        ("matmul", (3, 4), (5, 2)),
        ("matmul", (4,), (5,)),
    ],
)
def test_shape_errors_name_op_and_both_shapes(op, a, b):
    x, y = mgx.Tensor(np.ones(a)), mgx.Tensor(np.ones(b))
    fn = {
        "add": lambda: x + y,
        "mul": lambda: x * y,
        "sub": lambda: x - y,
        "div": lambda: x / y,
        "matmul": lambda: x @ y,
    }[op]
    with pytest.raises(ValueError, match="shape") as err:
        fn()
    msg = str(err.value)
    assert msg.startswith(op + ":") and str(a) in msg and str(b) in msg


def test_other_shape_errors():
    x = mgx.Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        x.reshape(4)
    with pytest.raises(ValueError, match="axis 2"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="transpose"):
        x.transpose(0, 0)
    with pytest.raises(IndexError, match="getitem"):
        x[5]
    with pytest.raises(ValueError, match=r"mse_loss.*\(3,\).*\(3, 1\)"):
        mgx.mse_loss(mgx.Tensor(np.ones(3)), mgx.Tensor(np.ones((3, 1))))


def test_nan_and_inf_propagate_like_numpy():
    x = mgx.Tensor([np.nan, np.inf, 1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = (x * 2).sum()
        y.backward()
    assert np.isnan(y.item())
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    r = mgx.relu(mgx.Tensor([np.nan]))
    assert np.isnan(r.data[0])


def test_reshape_transpose_forms():
    x = mgx.Tensor(np.arange(6.0), requires_grad=True)
    assert x.reshape(2, 3).shape == (2, 3) and x.reshape((3, 2)).shape == (3, 2)
    m = x.reshape(2, 3)
    assert m.T.shape == (3, 2) and m.transpose().shape == (3, 2) and m.transpose(1, 0).shape == (3, 2)
    assert m.T.op == "transpose"


def test_ndarray_on_the_left_defers_to_tensor():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    for out in (np.ones(2) + x, np.ones(2) * x, np.ones(2) - x, np.ones(2) / x, np.ones((2, 2)) @ x):
        assert isinstance(out, mgx.Tensor) and out.requires_grad


def test_every_way_of_making_a_tensor_sets_every_slot():
    """`Tensor.__init__`, `Tensor._make` and `Function.apply` (which builds results inline on the
    hot path) each set every slot: a slot one of them forgot reads as AttributeError."""
    from microgradx.tensor import Tensor

    a = Tensor([1.0, 2.0], requires_grad=True)
    made = [a, Tensor._make(np.zeros(2), None), a * 2.0]
    with mgx.no_grad():
        made.append(a * 2.0)
    slots = [s for s in Tensor.__slots__ if s != "__weakref__"]
    for t in made:
        for slot in slots:
            getattr(t, slot)
