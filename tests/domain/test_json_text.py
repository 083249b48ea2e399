"""The fast indented JSON writer gives exactly what `json.dumps(indent=2)` gives; the
fast surrogate check of decode_json_file refuses what the full walk refused."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.canonical import decode_json_file
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.json_text import dumps_indented, dumps_readable

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(_values)
def test_the_same_text_as_the_standard_encoder(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(_values)
def test_the_readable_text_says_the_same_laid_out_the_same(value: object) -> None:
    ours, standard = dumps_readable(value), json.dumps(value, indent=2, ensure_ascii=False)
    assert json.loads(ours) == json.loads(standard)
    assert _indents(ours) == _indents(standard)


def _indents(text: str) -> list[int]:
    return [len(line) - len(line.lstrip(" ")) for line in text.splitlines()]


def test_the_readable_text_writes_what_json_has_no_word_for_as_null() -> None:
    assert json.loads(dumps_readable({"a": [math.nan, math.inf, 0.00001]})) == {
        "a": [None, None, 1e-05]
    }


def test_the_readable_text_refuses_what_json_refuses() -> None:
    @dataclasses.dataclass
    class Point:
        """Not JSON."""

        x: int

    refused: tuple[object, ...] = (Point(1), datetime.datetime(2024, 1, 1), {1, 2})
    for value in refused:
        with pytest.raises(TypeError):
            dumps_readable(value)
    # What orjson refuses and json writes is written as json writes it.
    for written in ({1.5: "key"}, [2**70], "lone \ud800"):
        assert dumps_readable(written) == json.dumps(written, indent=2, ensure_ascii=False)


def test_a_session_like_document_and_unusual_text() -> None:
    document = {
        "format": "desktop-agent/session",
        "session": {
            "messages": [
                {
                    "role": "user",
                    "content": 'tabs\t"quotes" \\ ünïcode 🙂 \u2028',
                    "feedback": None,
                },
                {"role": "assistant", "content": "", "feedback": {"rating": -1, "tags": []}},
            ],
            "weights": {"verbosity": 0.5, "autonomy": 1e-20},
            "empty": {},
        },
    }
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_non_finite_numbers_follow_allow_nan() -> None:
    value = [math.inf, -math.inf, math.nan]
    assert dumps_indented(value) == json.dumps(value, indent=2)
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps_indented({"x": math.nan}, allow_nan=False)


def test_what_the_fast_path_does_not_know_takes_the_standard_route() -> None:
    value = {1: "int key", "nested": {2.5: True}}
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"x": object()})


@pytest.mark.parametrize(
    "raw",
    [
        b'["\\ud800"]',  # a lone high surrogate
        b'{"k": "x\\uDFFFy"}',  # a lone low one, upper case
        b'{"\\udbff": 1}',  # in a key
        b'[{"deep": ["ok", "\\ud83d"]}]',  # half of a pair, nested
    ],
)
def test_files_with_unpaired_surrogate_escapes_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidInputError, match="unpaired surrogate"):
        decode_json_file(raw, "file")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'["\\ud83d\\ude00"]', ["😀"]),  # a pair is a character
        ('["é 😀 \\u00e9"]'.encode(), ["é 😀 é"]),
        (b'["\\\\ud800"]', ["\\ud800"]),  # an escaped backslash, then text
    ],
)
def test_everything_else_decodes(raw: bytes, value: object) -> None:
    assert decode_json_file(raw, "file") == value
