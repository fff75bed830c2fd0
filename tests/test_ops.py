"""Every op's value and gradient against independent oracles (a spec table, JAX style).

For each row of `oracles.SPECS` and each shape group: the forward value must equal the NumPy
reference, and ∂(Σ w·f)/∂input from microgradx's backward must equal both float64 central
differences of the *reference* function and the HIPS autograd package.
"""

import numpy as np
import pytest
from oracles import autograd_grad, case_id, central_diff, spec_cases

import microgradx as mgx

CASES = spec_cases()


def _inputs(spec, shapes, seed):
    rng = np.random.default_rng(seed)
    return [sample(rng, shape) for sample, shape in zip(spec.samplers, shapes, strict=True)]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_value_and_gradient_match_oracles(case):
    spec, shapes = case
    arrays = _inputs(spec, shapes, seed=len(case_id(case)))
    tensors = [mgx.Tensor(a, requires_grad=True) for a in arrays]
    out = spec.mgx_fn(*tensors)
    assert out.op == spec.name
    expected = np.asarray(spec.ref_fn(*arrays))
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert out.shape == expected.shape

    weights = np.random.default_rng(1).normal(size=out.shape)
    out.backward(weights)
    for i, (t, a) in enumerate(zip(tensors, arrays, strict=True)):
        assert t.grad is not None and t.grad.shape == a.shape, f"input {i}"
        numeric = central_diff(spec.ref_fn, arrays, i, weights)
        np.testing.assert_allclose(
            t.grad, numeric, rtol=1e-6, atol=1e-7, err_msg=f"input {i} vs central differences"
        )
        ag = autograd_grad(spec.ref_fn, arrays, i, weights)
        np.testing.assert_allclose(t.grad, ag, rtol=1e-10, atol=1e-12, err_msg=f"input {i} vs autograd")


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_float32_stays_float32(case):
    spec, shapes = case
    arrays = [a.astype(np.float32) for a in _inputs(spec, shapes, seed=3)]
    tensors = [mgx.Tensor(a, requires_grad=True) for a in arrays]
    out = spec.mgx_fn(*tensors)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    for t in tensors:
        assert t.grad.dtype == np.float32


def test_python_numbers_never_change_dtype():
    t = mgx.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    for out in (
        t + 1,
        1 + t,
        t - 2.5,
        2.5 - t,
        t * 3,
        3 * t,
        t / 2,
        2 / t,
        t**2,
        2**t,
        -t,
        t @ np.ones(3, np.float32),
    ):
        assert out.dtype == np.float32, out.op


def test_mixed_float32_float64_promotes_like_numpy():
    a = mgx.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b = mgx.Tensor(np.ones(2, dtype=np.float64), requires_grad=True)
    out = a * b
    assert out.dtype == np.result_type(np.float32, np.float64)
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_reflected_operators_with_numbers_and_arrays():
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    y = (2**x) + (x**x) + np.array([1.0, 1.0]) * x + 3 - x / 4
    y.sum().backward()
    xs = np.array([1.0, 2.0])
    expected = np.log(2) * 2**xs + xs**xs * (np.log(xs) + 1) + 1 - 0.25
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)
    assert isinstance(np.array([1.0, 1.0]) * x, mgx.Tensor)


def test_broadcast_gradient_is_reduced_to_operand_shape():
    a = mgx.Tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    b = mgx.Tensor(np.ones((2, 1, 4)), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (2, 1, 4)
    np.testing.assert_array_equal(a.grad, np.full((3, 1), 8.0))  # each a_i used 2·4 times
    np.testing.assert_array_equal(b.grad, np.full((2, 1, 4), 0.0 + 1 + 2))


def test_pow_edge_cases_follow_pytorch():
    # d/da a**0 = 0 even at a = 0; d/db 0**b = 0 for b >= 0 (the limit), as PyTorch defines them.
    a = mgx.Tensor([0.0, 2.0], requires_grad=True)
    b = mgx.Tensor([0.0, 0.0], requires_grad=True)
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    np.testing.assert_allclose(b.grad, [0.0, np.log(2.0)])
    x = mgx.Tensor(0.0, requires_grad=True)
    (x**2).backward()
    assert x.grad == 0.0


def test_getitem_repeated_index_accumulates():
    x = mgx.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])


def test_getitem_with_tensor_index():
    x = mgx.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = x[mgx.Tensor([1, 1])]
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0], [2, 2]])


# Array plumbing (getitem, transpose, reshape, sum, mean) is checked against NumPy/autograd above.
TORCH_CASES = [c for c in CASES if c[0].name not in ("getitem", "transpose", "reshape", "sum", "mean")]


@pytest.mark.torch
@pytest.mark.parametrize("case", TORCH_CASES, ids=[case_id(c) for c in TORCH_CASES])
def test_against_pytorch(case):
    torch = pytest.importorskip("torch")
    spec, shapes = case
    arrays = _inputs(spec, shapes, seed=11)
    tensors = [mgx.Tensor(a, requires_grad=True) for a in arrays]
    out = spec.mgx_fn(*tensors)
    weights = np.random.default_rng(2).normal(size=out.shape)
    out.backward(weights)
    tts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    fn = spec.torch_fn
    assert fn is not None, f"spec row {spec.name!r} has no torch_fn"
    tout = fn(*tts)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    tout.backward(torch.tensor(weights))
    for t, tt in zip(tensors, tts, strict=True):
        np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-10, atol=1e-14)
