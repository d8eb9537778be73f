"""Render ohm_desktop/resources/icons/ohm-desktop.svg to the PNG sizes desktops and installers use.

Run from the repository root: ``python packaging/make_icons.py``. The PNGs are committed, so the
build does not need this step; rerun it only after editing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "ohm_desktop" / "resources" / "icons"
SIZES = (48, 128, 256)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "ohm-desktop.svg"))
    if not renderer.isValid():
        print("The SVG icon could not be parsed.", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = ICONS / f"ohm-desktop-{size}.png"
        if not image.save(str(target)):
            print(f"Could not write {target}.", file=sys.stderr)
            return 1
        print(target)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
