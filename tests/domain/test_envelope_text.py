"""The session file's text: what json.loads reads back is the envelope make_envelope
builds (so its checksum is the canonical one), whatever the body holds."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.canonical import make_envelope, sha256_hex
from desktop_agent.domain.envelope_text import dump_envelope_text
from tests.support.json_values import json_values

_values = json_values(max_leaves=10)


@given(body=st.dictionaries(st.text(max_size=10), _values, max_size=6))
def test_the_text_reads_back_as_the_checksummed_envelope(body: dict[str, object]) -> None:
    text = dump_envelope_text("desktop-agent/session", 2, "session", body)
    assert json.loads(text) == make_envelope("desktop-agent/session", 2, "session", body)
    assert json.loads(text)["sha256"] == sha256_hex(body)


def test_each_message_is_one_line_and_the_rest_reads_like_indented_json() -> None:
    body: dict[str, object] = {
        "id": "s1",
        "messages": [{"role": "user", "content": "a\nb"}, {"role": "x"}],
    }
    lines = dump_envelope_text("f", 2, "session", body).splitlines()
    assert lines[:4] == ["{", '  "format": "f",', '  "format_version": 2,', '  "session": {']
    assert '      {"content":"a\\nb","role":"user"},' in lines  # canonical: keys sorted
    assert '      {"role":"x"}' in lines


def test_numbers_json_does_not_allow_are_refused() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        dump_envelope_text("f", 2, "session", {"x": [math.nan]})
