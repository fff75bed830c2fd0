"""Oracles for gradient tests: independent of microgradx's own backward code.

- `central_diff`: float64 central differences of a *pure NumPy* reference function.
- `autograd_grad`: the HIPS `autograd` package on the same reference function.
- `SPECS`: one row per op (JAX-style table): the microgradx call, the NumPy reference (written
  with ``autograd.numpy`` so both oracles can use it), arity and input domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import autograd
import autograd.numpy as anp
import numpy as np

import microgradx as mgx

SELU_L = 1.0507009873554804934193349852946
SELU_A = 1.6732632423543772848170429916717


def central_diff(
    f: Callable[..., np.ndarray], args: list[np.ndarray], i: int, weights: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """∂/∂args[i] of Σ weights·f(*args), by central differences in float64."""
    args = [np.array(a, dtype=np.float64) for a in args]
    x = args[i]
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = np.sum(weights * f(*args))
        flat[k] = orig - eps
        minus = np.sum(weights * f(*args))
        flat[k] = orig
        gflat[k] = (plus - minus) / (2 * eps)
    return grad


def autograd_grad(f, args, i, weights):
    """∂/∂args[i] of Σ weights·f(*args) with the HIPS autograd package."""

    def scalar(*a):
        return anp.sum(weights * f(*a))

    return autograd.grad(scalar, i)(*[np.array(a, dtype=np.float64) for a in args])


def _sample(rng, shape, domain):
    lo, hi = domain
    x = rng.uniform(lo, hi, size=shape)
    return x


def away_from_zero(lo=0.05, hi=3.0):
    """A domain sampler giving ±[lo, hi]: keeps finite differences off the kinks at 0."""

    def sample(rng, shape):
        return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)

    return sample


def uniform(lo, hi):
    def sample(rng, shape):
        return rng.uniform(lo, hi, size=shape)

    return sample


@dataclass
class Spec:
    name: str  # the op name microgradx records in Tensor.op
    mgx_fn: Callable  # tensors -> Tensor
    ref_fn: Callable  # arrays -> array (autograd.numpy)
    samplers: tuple  # one per input
    shapes: list = field(default_factory=list)  # list of tuples of shapes, one per input
    tol: float = 1e-6
    torch_fn: Callable | None = None  # torch tensors -> torch tensor (torch imported lazily)


BROADCAST_PAIRS = [
    ((), ()),
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),
    ((4,), (3, 4)),
    ((3, 4), ()),
    ((2, 1, 4), (3, 1)),
]
UNARY_SHAPES = [((),), ((5,),), ((3, 4),), ((2, 3, 2),)]

_any = uniform(-2.0, 2.0)
_pos = uniform(0.3, 2.5)
_nz = away_from_zero()


def _ref_sigmoid(x):
    return 1.0 / (1.0 + anp.exp(-x))


def _ref_elu(x, alpha=1.0):
    return anp.where(x > 0, x, alpha * (anp.exp(anp.minimum(x, 0)) - 1))


def _ref_selu(x):
    return SELU_L * anp.where(x > 0, x, SELU_A * (anp.exp(anp.minimum(x, 0)) - 1))


def _ref_bce(p, y):
    return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))


def _ref_bce_logits(z, y):  # the textbook form, BCE(σ(z), y): fine at the moderate z sampled here
    p = 1.0 / (1.0 + anp.exp(-z))
    return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))


SPECS = [
    Spec(
        "add",
        lambda a, b: a + b,
        lambda a, b: a + b,
        (_any, _any),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: a + b,
    ),
    Spec(
        "sub",
        lambda a, b: a - b,
        lambda a, b: a - b,
        (_any, _any),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: a - b,
    ),
    Spec(
        "mul",
        lambda a, b: a * b,
        lambda a, b: a * b,
        (_any, _any),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: a * b,
    ),
    Spec(
        "div",
        lambda a, b: a / b,
        lambda a, b: a / b,
        (_any, away_from_zero(0.5, 2.0)),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: a / b,
    ),
    Spec(
        "pow",
        lambda a, b: a**b,
        lambda a, b: a**b,
        (_pos, uniform(-2.0, 2.0)),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: a**b,
    ),
    Spec("neg", lambda a: -a, lambda a: -a, (_any,), UNARY_SHAPES, torch_fn=lambda a: -a),
    Spec(
        "matmul",
        lambda a, b: a @ b,
        lambda a, b: anp.matmul(a, b),
        (_any, _any),
        [
            ((3, 4), (4, 2)),
            ((4,), (4, 2)),
            ((3, 4), (4,)),
            ((4,), (4,)),
            ((2, 3, 4), (4, 5)),
            ((2, 3, 4), (2, 4, 1)),
        ],
        torch_fn=lambda a, b: _torch().matmul(a, b),
    ),
    Spec("sum", lambda a: a.sum(), lambda a: anp.sum(a), (_any,), UNARY_SHAPES),
    Spec("sum", lambda a: a.sum(axis=0), lambda a: anp.sum(a, axis=0), (_any,), [((3, 4),), ((2, 3, 2),)]),
    Spec(
        "sum",
        lambda a: a.sum(axis=-1, keepdims=True),
        lambda a: anp.sum(a, axis=-1, keepdims=True),
        (_any,),
        [((3, 4),), ((2, 3, 2),)],
    ),
    Spec("mean", lambda a: a.mean(), lambda a: anp.mean(a), (_any,), UNARY_SHAPES),
    Spec("mean", lambda a: a.mean(axis=(0, 2)), lambda a: anp.mean(a, axis=(0, 2)), (_any,), [((2, 3, 2),)]),
    Spec("exp", lambda a: a.exp(), anp.exp, (_any,), UNARY_SHAPES, torch_fn=lambda a: _torch().exp(a)),
    Spec("log", lambda a: a.log(), anp.log, (_pos,), UNARY_SHAPES, torch_fn=lambda a: _torch().log(a)),
    Spec("reshape", lambda a: a.reshape(-1), lambda a: anp.reshape(a, -1), (_any,), UNARY_SHAPES),
    Spec("transpose", lambda a: a.T, lambda a: anp.transpose(a), (_any,), [((3, 4),), ((2, 3, 2),)]),
    Spec(
        "transpose",
        lambda a: a.transpose(1, 2, 0),
        lambda a: anp.transpose(a, (1, 2, 0)),
        (_any,),
        [((2, 3, 4),)],
    ),
    Spec("getitem", lambda a: a[1:, ::2], lambda a: a[1:, ::2], (_any,), [((3, 4),)]),
    Spec("getitem", lambda a: a[[0, 2, 0]], lambda a: a[np.array([0, 2, 0])], (_any,), [((3, 4),)]),
    Spec("sigmoid", mgx.sigmoid, _ref_sigmoid, (_any,), UNARY_SHAPES, torch_fn=lambda a: _torch().sigmoid(a)),
    Spec("tanh", mgx.tanh, anp.tanh, (_any,), UNARY_SHAPES, torch_fn=lambda a: _torch().tanh(a)),
    Spec(
        "relu",
        mgx.relu,
        lambda a: anp.maximum(a, 0.0),
        (_nz,),
        UNARY_SHAPES,
        torch_fn=lambda a: _torch().relu(a),
    ),
    Spec(
        "leaky_relu",
        lambda a: mgx.leaky_relu(a, 0.2),
        lambda a: anp.where(a > 0, a, 0.2 * a),
        (_nz,),
        UNARY_SHAPES,
        torch_fn=lambda a: _torch().nn.functional.leaky_relu(a, 0.2),
    ),
    Spec(
        "prelu",
        mgx.prelu,
        lambda a, w: anp.where(a > 0, a, w * a),
        (_nz, uniform(0.05, 0.5)),
        [((3, 4), (1,)), ((5,), (1,)), ((2,), ())],
        torch_fn=lambda a, w: _torch().nn.functional.prelu(a, w.reshape(-1)),
    ),
    Spec(
        "prelu",
        mgx.prelu,
        lambda a, w: anp.where(a > 0, a, anp.reshape(w, (1, 3, 1)) * a),
        (_nz, uniform(0.05, 0.5)),
        [((2, 3, 4), (3,))],
        torch_fn=lambda a, w: _torch().nn.functional.prelu(a, w.reshape(-1)),
    ),
    Spec("elu", mgx.elu, _ref_elu, (_nz,), UNARY_SHAPES, torch_fn=lambda a: _torch().nn.functional.elu(a)),
    Spec(
        "elu",
        lambda a: mgx.elu(a, alpha=0.5),
        lambda a: _ref_elu(a, 0.5),
        (_nz,),
        UNARY_SHAPES,
        torch_fn=lambda a: _torch().nn.functional.elu(a, alpha=0.5),
    ),
    Spec("selu", mgx.selu, _ref_selu, (_nz,), UNARY_SHAPES, torch_fn=lambda a: _torch().selu(a)),
    Spec(
        "mse_loss",
        mgx.mse_loss,
        lambda p, y: anp.mean((p - y) ** 2),
        (_any, _any),
        [((), ()), ((5,), (5,)), ((4, 1), (4, 1))],
        torch_fn=lambda a, b: _torch().nn.functional.mse_loss(a, b),
    ),
    Spec(
        "binary_cross_entropy",
        mgx.binary_cross_entropy,
        _ref_bce,
        (uniform(0.05, 0.95), uniform(0.0, 1.0)),
        [((5,), (5,)), ((4, 2), (4, 2))],
        torch_fn=lambda a, b: _torch().nn.functional.binary_cross_entropy(a, b),
    ),
    Spec(
        "binary_cross_entropy_with_logits",
        mgx.binary_cross_entropy_with_logits,
        _ref_bce_logits,
        (uniform(-6.0, 6.0), uniform(0.0, 1.0)),
        [((5,), (5,)), ((4, 2), (4, 2))],
        torch_fn=lambda a, b: _torch().nn.functional.binary_cross_entropy_with_logits(a, b),
    ),
]


def _torch():
    import torch

    return torch


def _ref_log_softmax(z, axis=-1):
    shifted = z - anp.max(z, axis=axis, keepdims=True)
    return shifted - anp.log(anp.sum(anp.exp(shifted), axis=axis, keepdims=True))


def _ref_softmax(z, axis=-1):
    e = anp.exp(z - anp.max(z, axis=axis, keepdims=True))
    return e / anp.sum(e, axis=axis, keepdims=True)


_CE_INDEX = np.array([1, 0, 3])  # class indices for a (3, 4) batch of logits
_CE_INDEX_3D = np.array([[0, 2], [1, 1]])  # for (2, 3, 2) logits: classes on axis 1


def _ref_ce_index(z):
    logp = _ref_log_softmax(z, 1)
    return -anp.mean(logp[np.arange(3), _CE_INDEX])


def _ref_ce_index_3d(z):
    logp = _ref_log_softmax(z, 1)
    i, j = np.meshgrid(np.arange(2), np.arange(2), indexing="ij")
    return -anp.mean(logp[i, _CE_INDEX_3D, j])


def _ref_ce_probs(z, p):
    return -anp.sum(p * _ref_log_softmax(z, 1)) / (z.size // z.shape[1])


def _ref_where(a, b):
    # As a sum of masked terms: HIPS autograd's own `where` does not reduce a broadcast gradient.
    mask = a > 0
    return mask * a + (1 - mask) * b


_REDUCE_SHAPES = [((5,),), ((3, 4),), ((2, 3, 2),)]

# Issue 15's ops: one row each (per option set), with the PyTorch twin for the torch oracle.
SPECS += [
    Spec("abs", lambda a: abs(a), anp.abs, (_nz,), UNARY_SHAPES, torch_fn=lambda a: a.abs()),
    Spec("abs", mgx.functional.abs, anp.abs, (_nz,), UNARY_SHAPES, torch_fn=lambda a: a.abs()),
    Spec("sqrt", lambda a: a.sqrt(), anp.sqrt, (_pos,), UNARY_SHAPES, torch_fn=lambda a: a.sqrt()),
    Spec("log1p", mgx.log1p, anp.log1p, (uniform(-0.7, 2.0),), UNARY_SHAPES, torch_fn=lambda a: a.log1p()),
    Spec(
        "clip",
        lambda a: mgx.clip(a, -0.5, 0.8),
        lambda a: anp.clip(a, -0.5, 0.8),
        (_any,),
        UNARY_SHAPES,
        torch_fn=lambda a: a.clamp(-0.5, 0.8),
    ),
    Spec(
        "clip",
        lambda a: a.clip(min=0.1),
        lambda a: anp.maximum(a, 0.1),
        (_any,),
        UNARY_SHAPES,
        torch_fn=lambda a: a.clamp(min=0.1),
    ),
    Spec(
        "maximum",
        mgx.maximum,
        anp.maximum,
        (_any, _any),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: _torch().maximum(a, b),
    ),
    Spec(
        "minimum",
        mgx.minimum,
        anp.minimum,
        (_any, _any),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: _torch().minimum(a, b),
    ),
    Spec(
        "where",
        lambda a, b: mgx.where(a > 0, a, b),
        _ref_where,
        (_nz, _any),
        BROADCAST_PAIRS,
        torch_fn=lambda a, b: _torch().where(a > 0, a, b),
    ),
    Spec("max", lambda a: a.max(), anp.max, (_any,), UNARY_SHAPES, torch_fn=lambda a: a.amax()),
    Spec(
        "max",
        lambda a: a.max(axis=0),
        lambda a: anp.max(a, axis=0),
        (_any,),
        _REDUCE_SHAPES,
        torch_fn=lambda a: a.amax(dim=0),
    ),
    Spec(
        "max",
        lambda a: a.max(axis=-1, keepdims=True),
        lambda a: anp.max(a, axis=-1, keepdims=True),
        (_any,),
        _REDUCE_SHAPES,
        torch_fn=lambda a: a.amax(dim=-1, keepdim=True),
    ),
    Spec("min", lambda a: a.min(), anp.min, (_any,), UNARY_SHAPES, torch_fn=lambda a: a.amin()),
    Spec(
        "min",
        lambda a: a.min(axis=(0, -1)),
        lambda a: anp.min(a, axis=(0, 2)),
        (_any,),
        [((2, 3, 2),)],
        torch_fn=lambda a: a.amin(dim=(0, -1)),
    ),
    Spec("var", lambda a: a.var(), anp.var, (_any,), _REDUCE_SHAPES, torch_fn=lambda a: a.var(correction=0)),
    Spec(
        "var",
        lambda a: a.var(axis=0, ddof=1),
        lambda a: anp.var(a, axis=0, ddof=1),
        (_any,),
        [((3, 4),), ((2, 3, 2),)],
        torch_fn=lambda a: a.var(dim=0, correction=1),
    ),
    Spec("std", lambda a: a.std(), anp.std, (_any,), _REDUCE_SHAPES, torch_fn=lambda a: a.std(correction=0)),
    Spec(
        "std",
        lambda a: a.std(axis=-1, ddof=1, keepdims=True),
        lambda a: anp.std(a, axis=-1, ddof=1, keepdims=True),
        (_any,),
        [((3, 4),), ((2, 3, 2),)],
        torch_fn=lambda a: a.std(dim=-1, correction=1, keepdim=True),
    ),
    Spec(
        "flatten",
        lambda a: a.flatten(),
        lambda a: anp.reshape(a, -1),
        (_any,),
        UNARY_SHAPES,
        torch_fn=lambda a: a.flatten(),
    ),
    Spec(
        "squeeze",
        lambda a: a.squeeze(),
        anp.squeeze,
        (_any,),
        [((3, 1),), ((1, 4, 1),)],
        torch_fn=lambda a: a.squeeze(),
    ),
    Spec(
        "squeeze",
        lambda a: a.squeeze(axis=0),
        lambda a: anp.squeeze(a, axis=0),
        (_any,),
        [((1, 4, 1),)],
        torch_fn=lambda a: a.squeeze(0),
    ),
    Spec(
        "unsqueeze",
        lambda a: a.unsqueeze(-1),
        lambda a: anp.expand_dims(a, -1),
        (_any,),
        UNARY_SHAPES,
        torch_fn=lambda a: a.unsqueeze(-1),
    ),
    Spec(
        "concatenate",
        lambda a, b: mgx.concatenate([a, b]),
        lambda a, b: anp.concatenate([a, b]),
        (_any, _any),
        [((2, 3), (4, 3)), ((5,), (2,))],
        torch_fn=lambda a, b: _torch().cat([a, b]),
    ),
    Spec(
        "concatenate",
        lambda a, b, c: mgx.concatenate([a, b, c], axis=-1),
        lambda a, b, c: anp.concatenate([a, b, c], axis=-1),
        (_any, _any, _any),
        [((3, 2), (3, 1), (3, 4))],
        torch_fn=lambda a, b, c: _torch().cat([a, b, c], dim=-1),
    ),
    Spec(
        "stack",
        lambda a, b: mgx.stack([a, b], axis=1),
        lambda a, b: anp.stack([a, b], axis=1),
        (_any, _any),
        [((3, 4), (3, 4)), ((5,), (5,))],
        torch_fn=lambda a, b: _torch().stack([a, b], dim=1),
    ),
    Spec(
        "stack",
        lambda a, b: mgx.stack([a, b]),
        lambda a, b: anp.stack([a, b]),
        (_any, _any),
        [((), ()), ((3, 4), (3, 4))],
        torch_fn=lambda a, b: _torch().stack([a, b]),
    ),
    Spec(
        "softplus",
        mgx.softplus,
        lambda a: anp.logaddexp(0.0, a),
        (uniform(-5.0, 5.0),),
        UNARY_SHAPES,
        torch_fn=lambda a: _torch().nn.functional.softplus(a),
    ),
    Spec(
        "softplus",
        lambda a: mgx.softplus(a, beta=2.0),
        lambda a: anp.logaddexp(0.0, 2.0 * a) / 2.0,
        (uniform(-5.0, 5.0),),
        UNARY_SHAPES,
        torch_fn=lambda a: _torch().nn.functional.softplus(a, beta=2.0),
    ),
    Spec(
        "softmax",
        mgx.softmax,
        _ref_softmax,
        (_any,),
        [((5,),), ((3, 4),), ((2, 3, 2),)],
        torch_fn=lambda a: a.softmax(-1),
    ),
    Spec(
        "softmax",
        lambda a: mgx.softmax(a, axis=0),
        lambda a: _ref_softmax(a, 0),
        (_any,),
        [((3, 4),)],
        torch_fn=lambda a: a.softmax(0),
    ),
    Spec(
        "log_softmax",
        mgx.log_softmax,
        _ref_log_softmax,
        (_any,),
        [((5,),), ((3, 4),), ((2, 3, 2),)],
        torch_fn=lambda a: a.log_softmax(-1),
    ),
    Spec(
        "log_softmax",
        lambda a: a.log_softmax(axis=1),
        lambda a: _ref_log_softmax(a, 1),
        (_any,),
        [((2, 3, 2),)],
        torch_fn=lambda a: a.log_softmax(1),
    ),
    Spec(
        "cross_entropy",
        lambda z: mgx.cross_entropy(z, _CE_INDEX),
        _ref_ce_index,
        (_any,),
        [((3, 4),)],
        torch_fn=lambda z: _torch().nn.functional.cross_entropy(z, _torch().tensor(_CE_INDEX)),
    ),
    Spec(
        "cross_entropy",
        lambda z: mgx.cross_entropy(z, _CE_INDEX_3D),
        _ref_ce_index_3d,
        (_any,),
        [((2, 3, 2),)],
        torch_fn=lambda z: _torch().nn.functional.cross_entropy(z, _torch().tensor(_CE_INDEX_3D)),
    ),
    Spec(
        "cross_entropy",
        mgx.cross_entropy,
        _ref_ce_probs,
        (_any, uniform(0.0, 1.0)),
        [((3, 4), (3, 4)), ((2, 3, 2), (2, 3, 2))],
        torch_fn=lambda z, p: _torch().nn.functional.cross_entropy(z, p),
    ),
]


def spec_cases():
    """(spec, shapes) pairs for pytest.mark.parametrize, with readable ids."""
    cases = []
    for spec in SPECS:
        for shapes in spec.shapes:
            cases.append((spec, shapes))
    return cases


def case_id(case):
    spec, shapes = case if isinstance(case, tuple) else (case, None)
    return f"{spec.name}-{'x'.join(str(s) for s in shapes)}" if shapes else spec.name
