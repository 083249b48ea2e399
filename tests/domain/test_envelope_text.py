"""The session file's text: what json.loads reads back is the envelope make_envelope
builds (so its checksum is the canonical one), whatever the body holds; the lists
written by orjson are byte for byte what canonical JSON writes."""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.canonical import make_envelope, orjson_canonical, sha256_hex
from desktop_agent.domain.envelope_text import _canonical_bytes, _canonical_encoder, dump_envelope
from desktop_agent.domain.json_text import orjson_module
from tests.support.json_values import json_values

_values = json_values(max_leaves=10)
# What a session file's messages hold: no floats. Text reaches every control character,
# the escapes json shortens (\n, \t, …) and any code point but lone surrogates; ints go
# past 64 bits (orjson refuses those: the standard encoder takes them).
_plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.text(st.characters(exclude_categories=["Cs"]))
)
_plain = st.recursive(
    _plain_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@given(body=st.dictionaries(st.text(max_size=10), _values, max_size=6))
def test_the_text_reads_back_as_the_checksummed_envelope(body: dict[str, object]) -> None:
    raw = dump_envelope("desktop-agent/session", 2, "session", body)
    assert json.loads(raw) == make_envelope("desktop-agent/session", 2, "session", body)
    assert json.loads(raw)["sha256"] == sha256_hex(body)


@given(items=st.lists(_plain, max_size=5), other=_values)
def test_float_free_lists_written_by_orjson_keep_the_canonical_checksum(
    items: list[object], other: object
) -> None:
    body: dict[str, object] = {"messages": items, "weights": other}
    raw = dump_envelope("f", 2, "session", body, without_floats=frozenset({"messages"}))
    assert json.loads(raw) == make_envelope("f", 2, "session", body)


@given(value=_plain)
def test_orjson_writes_float_free_values_as_canonical_json_does(value: object) -> None:
    assert orjson_module() is not None  # orjson is a dependency
    canonical = _canonical_encoder()(value).encode("utf-8")
    assert _canonical_bytes(value, plain=True) == canonical
    assert orjson_canonical(value) in (None, canonical)  # None: an int past 64 bits


def test_each_message_is_one_line_and_the_rest_reads_like_indented_json() -> None:
    body: dict[str, object] = {
        "id": "s1",
        "messages": [{"role": "user", "content": "a\nb"}, {"role": "x"}],
    }
    raw = dump_envelope("f", 2, "session", body, without_floats=frozenset({"messages"}))
    lines = raw.decode().splitlines()
    assert lines[:4] == ["{", '  "format": "f",', '  "format_version": 2,', '  "session": {']
    assert '      {"content":"a\\nb","role":"user"},' in lines  # canonical: keys sorted
    assert '      {"role":"x"}' in lines
    assert raw.endswith(b"}\n")


def test_objects_are_split_into_lines_only_between_them_whatever_their_text_holds() -> None:
    # The messages are encoded as one list and split where `},{"content":` is found: text
    # that holds the same characters, and a nested object with the same first key, must
    # neither break a line nor change what the file says.
    tricky = '},{"content":"x"},{"content":'
    flat: list[object] = [
        {"content": tricky, "role": "user"},
        {"content": "b", "role": "assistant"},
        {"content": "c\n},{", "role": "user"},
    ]
    nested = [*flat[:1], {"content": "b", "parts": [{"content": 1}, {"content": 2}]}, *flat[2:]]
    for messages, plain in itertools.product(
        (flat, nested), (frozenset({"messages"}), frozenset())
    ):
        body: dict[str, object] = {"messages": messages}
        raw = dump_envelope("f", 2, "session", body, without_floats=plain)
        assert json.loads(raw) == make_envelope("f", 2, "session", body)
        lines = raw.decode().splitlines()
        items = [json.loads(line.strip().removesuffix(",")) for line in lines[5:8]]
        assert items == messages


def test_numbers_json_does_not_allow_are_refused() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        dump_envelope("f", 2, "session", {"x": [math.nan]})
