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


# ---------------------------------------------------------------------------- classification sets
CLASSIFICATION = [("moons", 2), ("circles", 2), ("spirals", 3)]


@pytest.mark.parametrize(
    ("name", "classes", "n"),
    [(name, classes, n) for name, classes in CLASSIFICATION for n in (classes, 7, 200)],
)
def test_classification_shapes_dtypes_and_balance(name, classes, n):
    X, y = data.get(name, n=n, rng=0)
    assert X.shape == (n, 2) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1  # as equal as n allows


@pytest.mark.parametrize(("name", "classes"), CLASSIFICATION)
def test_classification_rows_are_shuffled(name, classes):
    _, y = data.get(name, n=300, rng=0)
    assert np.any(np.diff(y) < 0)  # not sorted by class, so a slice of the rows holds every class
    assert set(y[:60].tolist()) == set(range(classes))


def test_classification_points_lie_on_their_curves_without_noise():
    X, y = data.moons(n=400, noise=0.0, rng=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)  # (cos t, sin t)
    assert upper[:, 1].min() >= 0  # t in [0, π]
    np.testing.assert_allclose(np.hypot(1.0 - lower[:, 0], 0.5 - lower[:, 1]), 1.0)  # (1−cos t, ½−sin t)
    assert lower[:, 1].max() <= 0.5

    X, y = data.circles(n=400, noise=0.0, factor=0.3, rng=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    angle = np.arctan2(X[:, 1], X[:, 0])
    assert angle.min() < -3 and angle.max() > 3  # the whole circle

    X, y = data.spirals(n=600, classes=4, noise=0.0, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1
    theta = 2 * math.pi * y / 4 + 4 * r  # θ = 2πk/classes + 4r
    np.testing.assert_allclose(X, r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]), atol=1e-12)


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_classification_noise_has_the_requested_std(name):
    clean, _ = data.get(name, n=20000, noise=0.0, rng=3)
    noisy, _ = data.get(name, n=20000, noise=0.2, rng=3)
    # the same seed draws the same clean points (the noise is drawn after them); independent
    # noise of std σ adds σ² to the variance of each coordinate (the row order does not matter)
    assert noisy.std(axis=0) == pytest.approx(np.sqrt(clean.var(axis=0) + 0.2**2), rel=0.03)


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_classification_seeding(name):
    a = data.get(name, n=30, rng=5)
    b = data.get(name, n=30, rng=5)
    c = data.get(name, n=30, rng=6)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    g = np.random.default_rng(9)
    first, second = data.get(name, n=30, rng=g), data.get(name, n=30, rng=g)
    assert not np.array_equal(first[0], second[0])  # a Generator is advanced: fresh samples


def test_registries():
    assert list(data.REGRESSION_DATASETS) == ["sine", "polynomial", "surface"]
    assert list(data.CLASSIFICATION_DATASETS) == ["moons", "circles", "spirals"]
    assert data.DATASETS == {**data.REGRESSION_DATASETS, **data.CLASSIFICATION_DATASETS}
    with pytest.raises(ValueError, match=r"'spiral'.*moons, circles, spirals"):
        data.get("spiral")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.moons(n=0), "data.moons: n must be a positive int, got 0"),
        (lambda: data.moons(n=3.0), "data.moons: n must be an int, got 3.0"),
        (lambda: data.moons(noise=-0.1), "data.moons: noise must be >= 0, got -0.1"),
        (lambda: data.moons(rng="x"), "'x'"),
        (
            lambda: data.circles(noise=float("inf")),
            "data.circles: noise must be a finite real number, got inf",
        ),
        (lambda: data.circles(factor=1.0), "data.circles: factor must be < 1, got 1.0"),
        (lambda: data.circles(factor=0), "data.circles: factor must be > 0, got 0"),
        (lambda: data.spirals(classes=1), "data.spirals: classes must be an int >= 2, got 1"),
        (lambda: data.spirals(classes=True), "data.spirals: classes must be an int, got True"),
        (lambda: data.spirals(n=2, classes=3), "n must be at least classes=3.*got 2"),
        (lambda: data.spirals(noise="0.1"), "data.spirals: noise must be a finite real number, got '0.1'"),
    ],
)
def test_classification_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
