"""`gc_paused`: the cycle collector is off inside, restored (only if it was on) after, even on error."""

import gc

import pytest

import microgradx as mgx


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_restored_after(collector_on):
    with mgx.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_exception(collector_on):
    with pytest.raises(ZeroDivisionError), mgx.gc_paused():
        1 / 0
    assert gc.isenabled()


def test_a_collector_the_program_disabled_stays_disabled(collector_on):
    gc.disable()
    with mgx.gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_nested_blocks_restore_the_outer_state(collector_on):
    with mgx.gc_paused():
        with mgx.gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_no_collection_inside_and_settings_untouched(collector_on):
    thresholds = gc.get_threshold()
    collections = [s["collections"] for s in gc.get_stats()]
    with mgx.gc_paused():
        x = mgx.Tensor(0.5, requires_grad=True)
        y = x
        for _ in range(2000):
            y = (y * 1.0001 + 0.0001).tanh()
        y.backward()
        assert [s["collections"] for s in gc.get_stats()] == collections  # no collection ran
    assert gc.get_threshold() == thresholds
    assert x.grad is not None


def test_the_library_never_changes_the_collector_by_itself(collector_on):
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    mgx.nn.MLP(1, [2, 1], rng=0)
    assert gc.isenabled()
