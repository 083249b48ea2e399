"""Reading an export's list item by item gives exactly what `json.loads` gives, however
the file is cut into chunks; a file that breaks yields the items before the break and
then names the problem, never a wrong item."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.importers.json_stream import JsonStreamError, NotUtf8Error, json_items
from tests.support.json_values import json_values

_values = json_values()
_layouts = st.sampled_from([{}, {"indent": 2}, {"separators": (",", ":")}])

# Chunks of a few bytes cut every kind of token: strings, escapes, numbers, literals.
TINY = 3


def _read(data: bytes) -> list[object]:
    return list(json_items(io.BufferedReader(io.BytesIO(data)), TINY))


@given(items=st.lists(_values, max_size=6), layout=_layouts, ascii_only=st.booleans())
def test_items_are_what_json_loads_gives(
    items: list[object], layout: dict[str, object], ascii_only: bool
) -> None:
    data = json.dumps(items, ensure_ascii=ascii_only, **layout).encode()  # type: ignore[arg-type]
    assert _read(data) == items
    assert _read(b"\xef\xbb\xbf \n" + data + b"\n") == items  # a BOM and blank lines


@given(items=st.lists(_values, min_size=1, max_size=5), cut=st.integers(min_value=0))
def test_a_cut_file_yields_whole_items_then_an_error(items: list[object], cut: int) -> None:
    data = json.dumps(items).encode()
    cut = cut % len(data)  # strictly shorter than the file
    got: list[object] = []
    reader = json_items(io.BufferedReader(io.BytesIO(data[:cut])), TINY)
    with pytest.raises(JsonStreamError):
        got.extend(reader)  # extend keeps the items that came before the error
    assert got == items[: len(got)]  # a prefix, every item whole


def test_a_single_object_is_a_list_of_one() -> None:
    assert _read(b'{"id": "c1", "mapping": {}}') == [{"id": "c1", "mapping": {}}]
    assert _read(b"[]") == []
    assert _read(b" [ ] ") == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"a": 1}] x', "after the end"),
        (b'[{"a": 1} {"b": 2}]', "expected ',' or ']'"),
        (b'[{"a": NaN}]', "NaN is not a JSON value"),
        (b'[{"a": Infinity}]', "Infinity is not a JSON value"),
        (b'[{"a": tru}]', "Expecting value"),
        (b'[{"a": "x\ny"}]', "Invalid control character"),
        (b"PK\x03\x04", "does not start with"),
    ],
)
def test_broken_text_is_named(data: bytes, problem: str) -> None:
    with pytest.raises(JsonStreamError, match=problem):
        _read(data)


def test_an_item_nested_thousands_deep_is_named_not_a_crash() -> None:
    deep = b'[{"a":' + b"[" * 50_000 + b"]" * 50_000 + b"}]"
    with pytest.raises(JsonStreamError, match="nested too deeply"):
        list(json_items(io.BytesIO(deep)))


def test_bytes_that_are_not_utf8_are_named() -> None:
    with pytest.raises(NotUtf8Error):
        _read(b'[{"a": "caf\xe9"}]')
    with pytest.raises(NotUtf8Error):
        _read(b'[{"a": "\xe2\x82')  # a character cut by the end of the file


def test_a_big_item_is_read_in_growing_chunks() -> None:
    """An item much larger than a chunk is decoded a few times, not once per chunk."""
    item = {"text": "x" * 1_000_000}
    reads: list[int] = []

    class Counting(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            reads.append(size or -1)
            return super().read(size)

    stream = Counting(json.dumps([item]).encode())
    assert list(json_items(stream, 1024)) == [item]
    assert len(reads) < 20  # doubling: about log2(1 MB / 1 KB) reads
