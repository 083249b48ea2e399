"""Model output as Markdown in a QTextDocument that never loads remote resources."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

LOCAL_SCHEMES = frozenset({"data", "qrc"})
OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})


class SafeTextDocument(QTextDocument):
    """Refuses every resource that is not inline: a reply's `![](http://...)` must not
    phone home, leak the user's IP address or stall the UI thread on the network."""

    refused: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.refused = []

    def loadResource(self, type: int, name: QUrl | str, /) -> object:
        url = QUrl(name)
        if url.scheme() not in LOCAL_SCHEMES:
            self.refused.append(url.toString())
            return None
        return super().loadResource(type, url)


def is_openable_link(url: str) -> bool:
    """Links open (on click, in the system browser) only for web and mail addresses."""
    return QUrl(url).scheme() in OPENABLE_SCHEMES


def code_blocks(markdown: str) -> list[str]:
    """The fenced code blocks of a message, in order (for "Copy code")."""
    blocks: list[str] = []
    current: list[str] | None = None
    fence = ""
    for line in markdown.splitlines():
        stripped = line.strip()
        if current is None:
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                current = []
        elif stripped.startswith(fence):
            blocks.append("\n".join(current))
            current = None
        else:
            current.append(line)
    if current is not None:  # an unterminated fence while a reply still streams
        blocks.append("\n".join(current))
    return blocks


def render_markdown(
    document: QTextDocument, markdown: str, font: QFont, palette: QPalette, width: float
) -> None:
    """Fill `document` with `markdown`, styled for the chat: shaded monospace code blocks."""
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    document.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    _style_code(document, palette)
    document.setTextWidth(max(width, 50.0))


def _style_code(document: QTextDocument, palette: QPalette) -> None:
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    base = palette.color(QPalette.ColorRole.Base)
    shade = QColor(base).darker(108) if base.lightness() > 128 else QColor(base).lighter(140)
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        fmt = block.blockFormat()
        if fmt.hasProperty(QTextFormat.Property.BlockCodeFence) or fmt.nonBreakableLines():
            cursor.setPosition(block.position())
            cursor.setPosition(
                block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor
            )
            code_block = QTextBlockFormat()
            code_block.setBackground(shade)
            code_block.setLeftMargin(6)
            cursor.mergeBlockFormat(code_block)
            chars = QTextCharFormat()
            chars.setFontFamilies([mono.family()])
            cursor.mergeCharFormat(chars)
        block = block.next()
