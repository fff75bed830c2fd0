"""Tensor and Python/NumPy protocols: iteration, membership, ``np.asarray``, indexing errors, axes.

Each behaviour is compared with PyTorch (where it has the thing) or NumPy, never with microgradx
itself: issue 9 items 2, 7 and 9.
"""

import numpy as np
import pytest

import microgradx as mgx

X = [[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]]


def test_list_of_a_tensor_gives_its_rows_as_numpy_does():
    t = mgx.Tensor(X)
    rows = list(t)
    assert len(rows) == 2
    assert all(isinstance(r, mgx.Tensor) for r in rows)
    for row, expected in zip(rows, np.array(X), strict=True):
        np.testing.assert_array_equal(row.data, expected)
    # a 1-D tensor yields 0-d tensors, as torch does
    assert [r.shape for r in mgx.Tensor([1.0, 2.0])] == [(), ()]


def test_rows_are_differentiable_and_the_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    w = np.array([[2.0], [-1.0], [0.5]])
    x = mgx.Tensor(X, requires_grad=True)
    loss = sum(((row @ w) ** 2).sum() for row in x)  # for row in X: … (Python's sum)
    loss.backward()
    tx = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    tloss = sum(((row @ torch.tensor(w)) ** 2).sum() for row in tx)
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-15)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-15)


def test_unpacking_and_builtin_sum():
    a, b = mgx.Tensor([3.0, 4.0], requires_grad=True)
    assert (a.item(), b.item()) == (3.0, 4.0)
    assert a.op == "getitem"
    t = mgx.Tensor(X, requires_grad=True)
    s = sum(t)
    np.testing.assert_array_equal(s.data, np.sum(np.array(X), axis=0))
    s.sum().backward()
    np.testing.assert_array_equal(t.grad, np.ones((2, 3)))
    with pytest.raises(ValueError, match="too many values"):
        a, b = mgx.Tensor([1.0, 2.0, 3.0])


def test_iterating_a_0d_tensor_raises_typeerror_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError) as theirs:
        iter(torch.tensor(2.0))
    with pytest.raises(TypeError) as ours:
        iter(mgx.Tensor(2.0))  # at iter(), not at the first next()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("element", [2.0, 5.0, -2, 0.5, np.float32(4.0), np.nan])
def test_in_is_value_membership_as_torch(element):
    torch = pytest.importorskip("torch")
    assert (element in mgx.Tensor(X)) is (element in torch.tensor(X, dtype=torch.float64))


def test_in_with_a_tensor_broadcasts_as_torch():
    torch = pytest.importorskip("torch")
    for probe in ([1.0, -2.0, 3.0], [9.0, 9.0, -1.5], [9.0, 9.0, 9.0]):
        assert (mgx.Tensor(probe) in mgx.Tensor(X)) is (torch.tensor(probe) in torch.tensor(X))
    with pytest.raises(TypeError, match=r"number or a Tensor.*str"):
        _ = "a" in mgx.Tensor(X)


def test_np_asarray_gives_the_values():
    t = mgx.Tensor(X, requires_grad=True)
    arr = np.asarray(t)
    assert type(arr) is np.ndarray
    assert arr is t.data
    assert np.array(t) is not t.data
    assert np.array_equal(np.array(t), X)
    np.testing.assert_array_equal(np.exp(t), np.exp(np.array(X)))  # NumPy functions treat it as data
    assert np.linalg.norm(t) == np.linalg.norm(X)
    assert np.allclose(t, X)
    # a list of tensors is a numeric array, not an array of objects
    assert np.array([mgx.Tensor(1.0), mgx.Tensor(2.0)]).dtype == np.float64


def test_array_protocol_copy_and_dtype_keywords_follow_numpy2():
    t = mgx.Tensor(X)
    a32 = np.asarray(t, dtype=np.float32)
    assert a32.dtype == np.float32
    assert np.array_equal(a32, np.float32(X))
    assert np.asarray(t, dtype=np.float64) is t.data
    c = np.array(t, copy=True)
    assert c is not t.data
    assert not np.shares_memory(c, t.data)
    assert np.array(t, copy=False) is t.data
    with pytest.raises(ValueError, match="copy"):
        np.array(t, dtype=np.float32, copy=False)
    # the same three answers NumPy gives for an ndarray
    with pytest.raises(ValueError, match="copy"):
        np.array(np.array(X), dtype=np.float32, copy=False)


def test_out_of_range_index_raises_indexerror_like_torch():
    torch = pytest.importorskip("torch")
    t, tt = mgx.Tensor(X), torch.tensor(X)
    for index in (2, -3, (0, 3), (slice(None), 7)):
        with pytest.raises(IndexError):
            tt[index]
        with pytest.raises(IndexError, match=r"getitem: .*out of bounds.*\(2, 3\)"):
            t[index]
    with pytest.raises(IndexError):
        t[[0, 5]]


def test_python_iteration_stops_at_the_last_row():
    # the legacy protocol Python falls back on without __iter__ needs IndexError too
    assert len(list(mgx.Tensor(np.zeros((4, 2))))) == 4


def test_non_integral_index_tensor_is_refused():
    x = mgx.Tensor([10.0, 20.0, 30.0], requires_grad=True)
    with pytest.raises(IndexError, match=r"whole numbers.*0\.9"):
        x[mgx.Tensor([0.9, 2.7])]
    with pytest.raises(IndexError, match="nan"):
        x[mgx.Tensor([0.0, np.nan])]
    with pytest.raises(IndexError, match="whole numbers"):
        mgx.Tensor(np.zeros((3, 3)))[0, mgx.Tensor([1.5])]


def test_integral_index_tensor_is_positions_not_a_mask():
    # a 0/1 Tensor picks elements 0 and 1 (documented), never a silent truncation
    x = mgx.Tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = x[mgx.Tensor([1.0, 0.0, 1.0])]
    np.testing.assert_array_equal(out.data, [20.0, 10.0, 20.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 0.0])
    m = mgx.Tensor(np.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(m[1, mgx.Tensor([2.0, 0.0])].data, [5.0, 3.0])


def test_boolean_numpy_mask_keeps_working():
    x = mgx.Tensor([10.0, 20.0, 30.0], requires_grad=True)
    mask = np.array([True, False, True])
    out = x[mask]
    np.testing.assert_array_equal(out.data, [10.0, 30.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize(("shape", "axis"), [((), 0), ((), -1), ((2, 3), 2), ((2, 3), -3), ((2, 3), (0, 5))])
def test_axis_out_of_range_is_the_error_numpy_gives(op, shape, axis):
    # NumPy's rule, −ndim ≤ axis < ndim, for both ops (ndarray.sum alone has a legacy exception
    # letting a 0-d array take axis 0 or −1; np.mean and microgradx do not)
    with pytest.raises(np.exceptions.AxisError):
        np.ones(shape).mean(axis=axis)
    with pytest.raises(ValueError, match="out of bounds") as err:
        getattr(mgx.Tensor(np.ones(shape)), op)(axis=axis)
    msg = str(err.value)
    bad = axis[1] if isinstance(axis, tuple) else axis
    assert msg.startswith(f"{op}: axis {bad} is out of bounds")
    assert f"dimension {len(shape)}" in msg
    assert msg.count(f"{op}:") == 1  # said once, not "sum: sum: …"


def test_repeated_and_non_int_axes_are_named_once():
    t = mgx.Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^sum: repeated axis") as err:
        t.sum(axis=(1, -1))
    assert str(err.value).count("sum:") == 1
    with pytest.raises(ValueError, match=r"^mean: axis must be an int.*1\.5"):
        t.mean(axis=1.5)


def test_valid_axes_of_a_0d_tensor_still_reduce():
    assert mgx.Tensor(2.0).mean().item() == 2.0
    assert mgx.Tensor(2.0).sum(axis=()).item() == 2.0
