"""Markdown rendering never loads remote resources; code blocks can be copied."""

from __future__ import annotations

from PySide6.QtGui import QFont, QPalette, QTextDocument
from pytestqt.qtbot import QtBot

from desktop_agent.ui.markdown import (
    SafeTextDocument,
    code_blocks,
    is_openable_link,
    render_markdown,
)


def test_remote_images_are_refused(qtbot: QtBot) -> None:
    doc = SafeTextDocument()
    render_markdown(doc, "![tracker](https://evil.example/p.png) text", QFont(), QPalette(), 400)
    doc.size()  # lay out, which is when images are requested
    assert doc.refused == ["https://evil.example/p.png"]
    assert (
        doc.resource(QTextDocument.ResourceType.ImageResource, "https://evil.example/p.png") is None
    )


def test_tables_lists_and_code_render(qtbot: QtBot) -> None:
    doc = SafeTextDocument()
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\n```\nx = 1\n```\n"
    render_markdown(doc, text, QFont(), QPalette(), 400)
    plain = doc.toPlainText()
    assert "one" in plain
    assert "x = 1" in plain
    assert "1" in plain


def test_code_blocks_are_extracted_in_order() -> None:
    text = "a\n```python\nprint(1)\n```\nb\n~~~\nls -l\n~~~\n```\nunterminated"
    assert code_blocks(text) == ["print(1)", "ls -l", "unterminated"]


def test_only_web_and_mail_links_open() -> None:
    assert is_openable_link("https://example.com")
    assert is_openable_link("mailto:someone@example.com")
    assert not is_openable_link("file:///etc/passwd")
    assert not is_openable_link("javascript:alert(1)")
