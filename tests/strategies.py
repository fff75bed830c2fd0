"""Hypothesis strategies shared by the property tests (one place, minitorch style)."""

from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

#: Two shapes that broadcast together (up to 3 dims of size ≤ 4, including () and size-1 axes).
broadcast_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)


def values(shape, lo=-3.0, hi=3.0):
    """float64 arrays of ``shape`` with finite values in [lo, hi]."""
    return arrays("float64", shape, elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def away_from_zero(shape, lo=0.1, hi=3.0):
    """float64 arrays whose elements have lo ≤ |x| ≤ hi (off the kinks and poles at 0)."""
    mag = st.floats(lo, hi, allow_nan=False)
    return arrays("float64", shape, elements=st.one_of(mag, mag.map(lambda v: -v)))
