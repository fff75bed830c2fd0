"""microgradx.data: the toy data sets have the documented shapes, formulas, noise and seeding."""

from __future__ import annotations

import math

import numpy as np
import pytest

from microgradx import data


@pytest.mark.parametrize(("name", "n_in"), [("sine", 1), ("polynomial", 1), ("surface", 2)])
def test_shapes_and_dtypes(name, n_in):
    X, y = data.get(name, n=37, rng=0)
    assert X.shape == (37, n_in) and y.shape == (37, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64


def test_clean_targets_follow_the_formulas():
    X, y = data.sine(n=50, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, np.sin(math.pi * X))
    assert X.min() >= -1 and X.max() <= 1 and np.all(np.diff(X[:, 0]) >= 0)  # sorted

    X, y = data.sine(n=50, noise=0.0, low=0.0, high=2.0, frequency=3.0, rng=0)
    np.testing.assert_allclose(y, np.sin(3 * X))
    assert X.min() >= 0 and X.max() <= 2

    X, y = data.polynomial(n=50, noise=0.0, rng=0)  # default x^3 - x on [-1.5, 1.5]
    np.testing.assert_allclose(y, X**3 - X)
    assert X.min() >= -1.5 and X.max() <= 1.5

    X, y = data.polynomial(n=20, coefficients=[1.0, 0.0, 2.0], noise=0.0, rng=0)
    np.testing.assert_allclose(y, 1 + 2 * X**2)

    X, y = data.surface(n=50, noise=0.0, rng=0)
    np.testing.assert_allclose(y[:, 0], X[:, 0] * X[:, 1])
    assert X.min() >= -1 and X.max() <= 1


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("sine", lambda X: np.sin(math.pi * X)),
        ("polynomial", lambda X: X**3 - X),
        ("surface", lambda X: X[:, :1] * X[:, 1:]),
    ],
)
def test_noise_has_the_requested_std(name, clean):
    X, y = data.get(name, n=20000, noise=0.2, rng=1)
    residual = y - clean(X)
    assert residual.mean() == pytest.approx(0.0, abs=0.01)
    assert residual.std() == pytest.approx(0.2, rel=0.03)


@pytest.mark.parametrize("name", ["sine", "polynomial", "surface"])
def test_seeding(name):
    a = data.get(name, n=30, rng=5)
    b = data.get(name, n=30, rng=5)
    c = data.get(name, n=30, rng=6)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    g = np.random.default_rng(9)
    first, second = data.get(name, n=30, rng=g), data.get(name, n=30, rng=g)
    assert not np.array_equal(first[0], second[0])  # a Generator is advanced


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"'spiral'.*sine, polynomial, surface"):
        data.get("spiral")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.sine(n=0), "n must be a positive int, got 0"),
        (lambda: data.sine(n=2.5), "2.5"),
        (lambda: data.sine(noise=-0.1), "noise.*-0.1"),
        (lambda: data.sine(low=1.0, high=1.0), "low < high"),
        (lambda: data.polynomial(coefficients=[]), "empty"),
        (lambda: data.polynomial(coefficients=["a"]), "'a'"),
        (lambda: data.polynomial(coefficients=3), "3"),
        (lambda: data.surface(noise=float("nan")), "nan"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
