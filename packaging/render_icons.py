"""Render resources/icons/desktop-agent.svg to the committed PNG, ICO and ICNS icons.

Run after editing the SVG: `.venv/bin/python packaging/render_icons.py`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from icon_formats import ICO_SIZES, icns_bytes, ico_bytes

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG_PATH = ICON_DIR / "desktop-agent.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICNS_ONLY_SIZES = (1024,)  # the 512@2x slot; not worth committing as a PNG of its own


def render_png(svg_path: Path, size: int) -> bytes:
    """The SVG drawn into a transparent size×size image, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise ValueError(f"{svg_path} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size} px icon as PNG")
    buffer.close()
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pngs = {size: render_png(SVG_PATH, size) for size in PNG_SIZES + ICNS_ONLY_SIZES}
    for size in PNG_SIZES:
        path = ICON_DIR / f"desktop-agent-{size}.png"
        path.write_bytes(pngs[size])
        print(f"wrote {path.relative_to(ICON_DIR.parent.parent)}")
    (ICON_DIR / "desktop-agent.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICON_DIR / "desktop-agent.icns").write_bytes(icns_bytes(pngs))
    print("wrote resources/icons/desktop-agent.ico and desktop-agent.icns")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
