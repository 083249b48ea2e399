"""The terminal filter on its own: no control character survives, JSON keeps its meaning."""

from __future__ import annotations

import io
import json
import re

from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.commands.output import neutralise, neutralise_json, neutralised_output

RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# Text rich in the characters that matter, plus anything else.
hostile_text = st.text(
    st.one_of(
        st.sampled_from("\x1b\x07\x9b\x00\r\n\t\x7f\u202e\u2066\u200f\u2028[]0;"),
        st.characters(),
    )
)


@given(hostile_text)
def test_human_text_never_keeps_a_control_character(text: str) -> None:
    shown = neutralise(text)
    assert not RAW_CONTROL.search(shown)
    assert shown.count("\n") == text.replace("\r\n", "\n").count("\n")


@given(hostile_text)
def test_json_text_is_escaped_but_means_the_same(text: str) -> None:
    document = json.dumps({"title": text}, ensure_ascii=False)
    escaped = neutralise_json(document)
    assert not RAW_CONTROL.search(escaped)
    assert json.loads(escaped) == {"title": text}


class _Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty
        self.raw_bytes = io.BytesIO()

    @property
    def buffer(self) -> io.BytesIO:
        return self.raw_bytes

    def isatty(self) -> bool:
        return self.tty


def test_bytes_for_a_terminal_are_filtered_and_bytes_for_a_pipe_stay_exact() -> None:
    import sys

    data = b"title \x1b]52;c;ZXZpbA==\x07 end\n"
    for tty in (True, False):
        target = _Tty(tty)
        saved = sys.stdout
        sys.stdout = target
        try:
            with neutralised_output():
                sys.stdout.buffer.write(data)
                print("\x1b[2J cleared")
        finally:
            sys.stdout = saved
        written = target.raw_bytes.getvalue()
        assert (written == data) is not tty
        assert ("\x1b" in target.getvalue()) is False
