"""Weight initializers: functions ``name(shape, ..., rng=None) -> numpy.ndarray`` and `calculate_gain`.

Why initialization matters (the notes, "Weight Initialization"): a bad start gives vanishing
gradients, exploding gradients or slow convergence.

* **zeros / any constant** -- every hidden unit of a layer computes the same ``z`` and gets the
  same gradient, so the units stay identical forever: "even we add 100 or 1000 node but it will
  act as a single Node". With ReLU or tanh and ``w = b = 0`` the first layer never moves at all.
* **small random** (``random_small``, ``U(-0.01, 0.01)``) -- ``z = sum_i w_i x_i`` is tiny, layer
  after layer the signal and the gradient shrink: vanishing gradients, very slow training.
* **large random** (``random_large``, the notes' ``np.random.randn``) -- ``z`` is large, tanh and
  sigmoid saturate (their derivative is ~0), ReLU outputs and gradients blow up.
* The fix: scale by the architecture. Give each weight a variance of about ``1 / fan_in``
  ("no. of inputs coming to the node"), so ``z`` keeps the variance of its inputs. Xavier/Glorot
  (``2 / (fan_in + fan_out)``) suits sigmoid, tanh and linear units, He/Kaiming (``2 / fan_in``)
  the ReLU family (ReLU zeroes half its inputs, so it needs twice the variance), LeCun
  (``1 / fan_in``) SELU (self-normalizing networks need exactly that).

Layout: microgradx stores a layer's weight as ``(in_features, out_features)`` and computes
``x @ W + b`` (the notes' ``w_ij``: input ``i`` -> node ``j``), so for a 2-D shape
``fan_in = shape[0]`` and ``fan_out = shape[1]``. PyTorch's ``nn.Linear`` stores ``(out, in)``:
a PyTorch weight is the transpose of ours. The fan-based initializers accept only 2-D shapes
(a ``ValueError`` otherwise); the others accept any shape.

``*_normal`` initializers draw from a plain (untruncated) normal distribution as PyTorch does;
Keras' ``glorot_normal``/``he_normal``/``lecun_normal`` draw from a normal truncated at two
standard deviations (rescaled so the std is still the formula's), so the two libraries give
different samples for the same name.

Every function takes ``rng``: ``None`` (the default generator seeded by
``microgradx.manual_seed``), an ``int`` seed (same seed, same numbers) or a
``numpy.random.Generator`` (used and advanced). Every function returns a new float64 array.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import validation
from .random import get_rng

__all__ = [
    "INITIALIZERS",
    "calculate_gain",
    "constant",
    "fan_in_and_fan_out",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "random_large",
    "random_small",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
_GAIN_NAMES = (*_LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def _check_shape(shape, fn: str) -> tuple[int, ...]:
    """Normalise ``shape`` (an int or a sequence of non-negative ints) to a tuple."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"init.{fn}: shape must be an int or a tuple of ints, got {shape!r}") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0:
            raise ValueError(f"init.{fn}: shape must hold non-negative ints, got {shape!r}")
    return tuple(int(d) for d in dims)


def _check_real(value, what: str, fn: str, positive: bool = False, nonneg: bool = False) -> float:
    return validation.real(value, what, f"init.{fn}", positive=positive, nonneg=nonneg)


def fan_in_and_fan_out(shape) -> tuple[int, int]:
    """Fan-in and fan-out of a weight shaped ``(in_features, out_features)``.

    ``fan_in`` is the number of inputs each node receives (``shape[0]``), ``fan_out`` the number
    of nodes each input feeds (``shape[1]``). This is the opposite of PyTorch, whose
    ``nn.Linear.weight`` is ``(out, in)`` and whose fan-in is ``shape[1]``.

    Args:
        shape: a 2-D shape ``(in_features, out_features)`` with both sizes > 0.

    Returns:
        ``(fan_in, fan_out)``.

    Raises:
        ValueError: for a shape that is not 2-D (vectors and higher ranks have no agreed fan
            in this layout) or has a zero size.

    Examples:
        >>> fan_in_and_fan_out((400, 600))
        (400, 600)
    """
    dims = _check_shape(shape, "fan_in_and_fan_out")
    if len(dims) != 2:
        raise ValueError(
            f"init: fan-in/fan-out need a 2-D weight shape (in_features, out_features), "
            f"got shape {dims} with {len(dims)} dimension(s)"
        )
    if dims[0] == 0 or dims[1] == 0:
        raise ValueError(f"init: fan-in and fan-out must be > 0, got shape {dims}")
    return dims[0], dims[1]


def calculate_gain(nonlinearity: str, param=None) -> float:
    r"""Recommended gain for a nonlinearity: PyTorch's ``torch.nn.init.calculate_gain`` table.

    ================= =========================================
    nonlinearity      gain
    ================= =========================================
    linear, conv*     1
    sigmoid           1
    tanh              5/3
    relu              √2
    leaky_relu        √(2 / (1 + negative_slope²))
    selu              3/4
    ================= =========================================

    The gain multiplies the standard deviation (and the uniform limit) of ``xavier_*``;
    ``he_*`` use it with ``fan_in`` (√2 for ReLU gives ``std = √(2 / fan_in)``).

    Args:
        nonlinearity: one of ``linear``, ``conv1d``, ``conv2d``, ``conv3d``,
            ``conv_transpose1d``, ``conv_transpose2d``, ``conv_transpose3d``, ``sigmoid``,
            ``tanh``, ``relu``, ``leaky_relu``, ``selu``.
        param: the negative slope for ``leaky_relu`` (default 0.01); ignored otherwise.

    Raises:
        ValueError: for an unknown nonlinearity (the message lists the valid names), or a
            ``param`` that is not a real number.

    Examples:
        >>> calculate_gain("tanh")
        1.6666666666666667
        >>> round(calculate_gain("leaky_relu", 0.2), 6)
        1.38675
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        else:
            slope = validation.real(param, "negative_slope for leaky_relu", "calculate_gain")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of {', '.join(_GAIN_NAMES)}"
    )


# --------------------------------------------------------------------------------------------
# Plain distributions
# --------------------------------------------------------------------------------------------


def zeros(shape, rng=None) -> np.ndarray:
    """All zeros. The default for biases; a bad idea for weights (the notes' "Case 1").

    With ``w = b = 0`` every hidden unit outputs the same value and receives the same gradient;
    with ReLU or tanh hidden units the output is 0 and the first layer's gradient is exactly 0,
    so it never trains.

    Args:
        shape: any shape.
        rng: accepted for a uniform signature; unused.

    Examples:
        >>> zeros((2, 3)).tolist()
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    dims = _check_shape(shape, "zeros")
    if rng is not None:
        get_rng(rng)  # validate the argument like every other initializer
    return np.zeros(dims, dtype=np.float64)


def constant(shape, value, rng=None) -> np.ndarray:
    """Every entry equals ``value`` (the notes' "Case 2", e.g. ``w = 0.5``).

    A non-zero constant lets the signal through, but all hidden units of a layer still compute
    the same thing and get the same update: the layer acts as one unit.

    Args:
        shape: any shape.
        value: the constant.
        rng: accepted for a uniform signature; unused.

    Examples:
        >>> constant((2, 2), 0.5).tolist()
        [[0.5, 0.5], [0.5, 0.5]]
    """
    dims = _check_shape(shape, "constant")
    value = _check_real(value, "value", "constant")
    if rng is not None:
        get_rng(rng)
    return np.full(dims, value, dtype=np.float64)


def uniform(shape, low: float = 0.0, high: float = 1.0, rng=None) -> np.ndarray:
    r"""Samples from :math:`\mathcal{U}(\text{low}, \text{high})`.

    Args:
        shape: any shape.
        low: lower bound (default 0.0, as PyTorch's ``uniform_``).
        high: upper bound, ``> low`` (default 1.0).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> w = uniform((3, 4), -1.0, 1.0, rng=0)
        >>> bool((w >= -1).all() and (w < 1).all())
        True
    """
    dims = _check_shape(shape, "uniform")
    low = _check_real(low, "low", "uniform")
    high = _check_real(high, "high", "uniform")
    if not high > low:
        raise ValueError(f"init.uniform: need low < high, got low={low!r}, high={high!r}")
    return get_rng(rng).uniform(low, high, size=dims)


def normal(shape, mean: float = 0.0, std: float = 1.0, rng=None) -> np.ndarray:
    r"""Samples from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    Args:
        shape: any shape.
        mean: the mean (default 0.0).
        std: the standard deviation, ``>= 0`` (default 1.0).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> normal((2,), 0.0, 1.0, rng=0).shape
        (2,)
    """
    dims = _check_shape(shape, "normal")
    mean = _check_real(mean, "mean", "normal")
    std = _check_real(std, "std", "normal", nonneg=True)
    return get_rng(rng).normal(mean, std, size=dims)


def random_small(shape, scale: float = 0.01, rng=None) -> np.ndarray:
    r"""Small random weights: :math:`\mathcal{U}(-\text{scale}, \text{scale})`, scale 0.01.

    The notes' "Case 3" (``np.random.random(...) * 0.01``, centred here): ``z = sum w_i x_i`` is
    tiny, deep networks shrink the signal and the gradient layer by layer (vanishing
    gradients) and training is very slow.

    Formula: ``limit = scale``

    Args:
        shape: any shape.
        scale: the half-width, ``> 0`` (default 0.01).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> bool(abs(random_small((10, 10), rng=0)).max() <= 0.01)
        True
    """
    dims = _check_shape(shape, "random_small")
    scale = _check_real(scale, "scale", "random_small", positive=True)
    return get_rng(rng).uniform(-scale, scale, size=dims)


def random_large(shape, scale: float = 1.0, rng=None) -> np.ndarray:
    r"""Large random weights: :math:`\text{scale} \cdot \mathcal{N}(0, 1)` (the notes' ``np.random.randn``).

    With hundreds of inputs ``z`` has a standard deviation of ``√fan_in``: tanh and sigmoid
    saturate (gradient ~0, slow training), ReLU activations and gradients grow layer by layer.

    Formula: ``std = scale``

    Args:
        shape: any shape.
        scale: multiplies the standard normal, ``> 0`` (default 1.0).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> round(float(random_large((500, 500), rng=0).std()), 1)
        1.0
    """
    dims = _check_shape(shape, "random_large")
    scale = _check_real(scale, "scale", "random_large", positive=True)
    return scale * get_rng(rng).standard_normal(size=dims)


# --------------------------------------------------------------------------------------------
# Variance-scaling initializers (fan-based, 2-D shapes only)
# --------------------------------------------------------------------------------------------


def xavier_uniform(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    r"""Xavier/Glorot uniform: :math:`\mathcal{U}(-a, a)`, :math:`a = \text{gain} \cdot \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`.

    From Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks". Keeps the variance of activations (forward) and of gradients (backward)
    roughly constant for sigmoid, tanh and linear units: ``Var(w) = 2 / (fan_in + fan_out)``
    (a uniform on ``[-a, a]`` has variance ``a² / 3``). The default of ``Layer`` for sigmoid,
    tanh and no activation.

    Formula: ``limit = gain * sqrt(6 / (fan_in + fan_out))``

    Args:
        shape: ``(in_features, out_features)``; ``fan_in = shape[0]``, ``fan_out = shape[1]``.
        gain: scaling factor (default 1.0; see `calculate_gain`).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> w = xavier_uniform((400, 600), rng=0)
        >>> bool(abs(w).max() <= (6 / 1000) ** 0.5)
        True
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    gain = _check_real(gain, "gain", "xavier_uniform", positive=True)
    limit = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return get_rng(rng).uniform(-limit, limit, size=(fan_in, fan_out))


def xavier_normal(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    r"""Xavier/Glorot normal: :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain} \cdot \sqrt{2 / (\text{fan\_in} + \text{fan\_out})}`.

    From Glorot & Bengio (2010). A plain normal, as PyTorch's ``xavier_normal_``; Keras'
    ``glorot_normal`` truncates at 2σ instead.

    Formula: ``std = gain * sqrt(2 / (fan_in + fan_out))``

    Args:
        shape: ``(in_features, out_features)``.
        gain: scaling factor (default 1.0).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> round(float(xavier_normal((400, 600), rng=0).std()), 3)
        0.045
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    gain = _check_real(gain, "gain", "xavier_normal", positive=True)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return get_rng(rng).normal(0.0, std, size=(fan_in, fan_out))


def _fan(shape, mode: str, fn: str) -> tuple[int, tuple[int, int]]:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if mode == "fan_in":
        return fan_in, (fan_in, fan_out)
    if mode == "fan_out":
        return fan_out, (fan_in, fan_out)
    raise ValueError(f"init.{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")


def he_uniform(shape, nonlinearity: str = "relu", param=None, mode: str = "fan_in", rng=None) -> np.ndarray:
    r"""He/Kaiming uniform: :math:`\mathcal{U}(-a, a)`, :math:`a = \text{gain} \cdot \sqrt{3 / \text{fan}}`; for ReLU :math:`a = \sqrt{6 / \text{fan\_in}}`.

    From He et al. (2015), "Delving deep into rectifiers". ReLU zeroes about half of its
    inputs, halving the variance it passes on, so its weights need ``Var(w) = 2 / fan_in``
    (twice LeCun's). The default of ``Layer`` for relu, leaky_relu, prelu and elu.

    Formula: ``limit = gain * sqrt(3 / fan)``, ``fan = fan_in`` by default, so for ReLU
    (gain √2) ``limit = sqrt(6 / fan_in)``.

    Args:
        shape: ``(in_features, out_features)``.
        nonlinearity: name for `calculate_gain` (default ``"relu"``, gain √2).
        param: negative slope when ``nonlinearity="leaky_relu"``.
        mode: ``"fan_in"`` (default, preserves the forward variance) or ``"fan_out"``
            (preserves the backward variance).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> w = he_uniform((400, 600), rng=0)
        >>> bool(abs(w).max() <= (6 / 400) ** 0.5)
        True
    """
    fan, dims = _fan(shape, mode, "he_uniform")
    limit = calculate_gain(nonlinearity, param) * math.sqrt(3.0 / fan)
    return get_rng(rng).uniform(-limit, limit, size=dims)


def he_normal(shape, nonlinearity: str = "relu", param=None, mode: str = "fan_in", rng=None) -> np.ndarray:
    r"""He/Kaiming normal: :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain} / \sqrt{\text{fan}}`; for ReLU :math:`\sigma = \sqrt{2 / \text{fan\_in}}`.

    From He et al. (2015). A plain normal, as PyTorch's ``kaiming_normal_``; Keras'
    ``he_normal`` truncates at 2σ instead.

    Formula: ``std = gain / sqrt(fan)``, ``fan = fan_in`` by default, so for ReLU
    (gain √2) ``std = sqrt(2 / fan_in)``.

    Args:
        shape: ``(in_features, out_features)``.
        nonlinearity: name for `calculate_gain` (default ``"relu"``).
        param: negative slope when ``nonlinearity="leaky_relu"``.
        mode: ``"fan_in"`` (default) or ``"fan_out"``.
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> round(float(he_normal((400, 600), rng=0).std()), 3)
        0.071
    """
    fan, dims = _fan(shape, mode, "he_normal")
    std = calculate_gain(nonlinearity, param) / math.sqrt(fan)
    return get_rng(rng).normal(0.0, std, size=dims)


def lecun_uniform(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    r"""LeCun uniform: :math:`\mathcal{U}(-a, a)`, :math:`a = \text{gain} \cdot \sqrt{3 / \text{fan\_in}}`.

    From LeCun et al. (1998), "Efficient BackProp": ``Var(w) = 1 / fan_in``, the notes'
    "variance = 1/n" where n is the number of inputs of the node.

    Formula: ``limit = gain * sqrt(3 / fan_in)``

    Args:
        shape: ``(in_features, out_features)``.
        gain: scaling factor (default 1.0).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> w = lecun_uniform((400, 600), rng=0)
        >>> bool(abs(w).max() <= (3 / 400) ** 0.5)
        True
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    gain = _check_real(gain, "gain", "lecun_uniform", positive=True)
    limit = gain * math.sqrt(3.0 / fan_in)
    return get_rng(rng).uniform(-limit, limit, size=(fan_in, fan_out))


def lecun_normal(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    r"""LeCun normal: :math:`\mathcal{N}(0, \sigma^2)`, :math:`\sigma = \text{gain} \cdot \sqrt{1 / \text{fan\_in}}`.

    The notes' ``np.random.randn(n_in, n_out) * sqrt(1 / n_in)``. Klambauer et al. (2017),
    "Self-Normalizing Neural Networks", require it for SELU: with ``Var(w) = 1 / fan_in`` and
    standardised inputs, SELU keeps activations near mean 0, variance 1 layer after layer.
    The default of ``Layer`` for selu. A plain normal (Keras truncates at 2σ).

    Formula: ``std = gain * sqrt(1 / fan_in)``

    Args:
        shape: ``(in_features, out_features)``.
        gain: scaling factor (default 1.0).
        rng: None, an int seed or a ``numpy.random.Generator``.

    Examples:
        >>> round(float(lecun_normal((400, 600), rng=0).std()), 3)
        0.05
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    gain = _check_real(gain, "gain", "lecun_normal", positive=True)
    std = gain * math.sqrt(1.0 / fan_in)
    return get_rng(rng).normal(0.0, std, size=(fan_in, fan_out))


# Aliases: Glorot is Xavier (Xavier Glorot), Kaiming is He (Kaiming He).
glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal

#: Initializers that need nothing but a shape (and rng): the names ``Layer(init=...)`` accepts.
INITIALIZERS = {
    "zeros": zeros,
    "uniform": uniform,
    "normal": normal,
    "random_small": random_small,
    "random_large": random_large,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal,
    "lecun_uniform": lecun_uniform,
    "lecun_normal": lecun_normal,
}


def get(name: str):
    """The initializer called ``name`` (a key of `INITIALIZERS`).

    Raises:
        ValueError: for an unknown name, listing the valid ones. ``"constant"`` needs a value:
            pass a callable such as ``lambda shape, rng: init.constant(shape, 0.5)`` instead.
    """
    hint = ""
    if name == "constant":
        hint = (
            " ('constant' needs a value: pass init=lambda shape, rng: "
            "microgradx.init.constant(shape, 0.5) instead)"
        )
    return validation.choice(name, INITIALIZERS, "initializer", "init", note=hint)
