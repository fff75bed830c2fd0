"""The engine computes today exactly what it computed before the speed work of issue 13.

``tests/data/engine_reference.npz`` holds every loss, parameter and gradient (intermediate ones
too) of a few steps of the benchmark's tasks, written by the engine as it was *before* that work
(``tests/engine_reference.py`` says how; the file is never rewritten by the code under test).
A faster backward (another summation order, another reduction call) must give the same bits.
"""

import pathlib

import numpy as np
import pytest
from engine_reference import machine, run_all

import microgradx as mgx

REFERENCE = pathlib.Path(__file__).parent / "data" / "engine_reference.npz"


@pytest.fixture(scope="module")
def saved():
    with np.load(REFERENCE, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def now():
    return run_all(mgx)


def test_reference_covers_every_task(saved, now):
    assert {k for k in saved if not k.startswith("meta/")} == set(now)


@pytest.mark.parametrize("task", ["T1-f64", "T1-f32", "T2-small", "T1-nn-f64", "T2-nn-small", "T3-short"])
def test_same_numbers_as_before(saved, now, task):
    same_machine = all(str(saved[f"meta/{k}"]) == v for k, v in machine().items())
    keys = [k for k in now if k.startswith(task + "/")]
    assert keys
    for key in keys:
        want, got = saved[key], now[key]
        assert got.dtype == want.dtype and got.shape == want.shape, key
        if same_machine:  # bit for bit
            assert np.array_equal(got, want), f"{key}: max difference {np.max(np.abs(got - want))}"
        else:  # BLAS kernels differ between processors and NumPy builds: close, not equal
            tol = 1e-5 if got.dtype == np.float32 else 1e-12
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=key)
