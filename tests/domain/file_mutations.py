"""Hypothesis strategies that damage valid file documents, shared by the file-format tests."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from desktop_agent.domain.canonical import sha256_hex

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Replacement values that stress the checks: wrong types, huge and non-finite numbers.
NASTY_VALUES: st.SearchStrategy[object] = (
    st.sampled_from(
        [None, True, False, 0, -1, 2, 1e308, -1e308, 10**60, float("nan"), float("inf"), "", []]
    )
    | st.builds(dict)
    | JSON_VALUES
)


@st.composite
def mutated_document(draw: st.DrawFn, document: dict[str, Any], body_key: str) -> bytes:
    """`document` with one value replaced or one key dropped, checksum often made to match."""
    document = json.loads(json.dumps(document))
    parent: Any = document
    key: Any = draw(st.sampled_from(sorted(document)))
    # Walk down a few levels so nested fields (weights, messages[i].role) get damaged too.
    while isinstance(parent[key], dict | list) and parent[key] and draw(st.booleans()):
        parent = parent[key]
        key = (
            draw(st.sampled_from(sorted(parent)))
            if isinstance(parent, dict)
            else draw(st.integers(0, len(parent) - 1))
        )
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[key]
    else:
        parent[key] = draw(NASTY_VALUES)
    if isinstance(document.get(body_key), dict) and draw(st.booleans()):
        try:
            document["sha256"] = sha256_hex(document[body_key])
        except ValueError:  # NaN cannot be canonical; leave the old checksum
            pass
    return json.dumps(document, allow_nan=True).encode("utf-8")


@st.composite
def flipped_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(data) - 1))
        data[index] = draw(st.integers(0, 255))
    return bytes(data)
