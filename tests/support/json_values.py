"""Hypothesis strategies for any value JSON holds (what the JSON writers and readers are
compared with the standard library on)."""

from __future__ import annotations

from hypothesis import strategies as st

# Any code point in text: multi-byte characters straddle chunk borders and need escaping.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)


def json_values(*, max_leaves: int = 12) -> st.SearchStrategy[object]:
    """Scalars, lists and objects nested a few levels (tuples come back as lists)."""
    return st.recursive(
        SCALARS,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )
