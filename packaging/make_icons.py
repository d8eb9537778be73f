"""Render ohm_desktop/resources/icons/ohm-desktop.svg to the icons desktops and installers use.

PNGs at 48/128/256 (Linux menu, hicolor theme, window icon), ``packaging/windows/ohm-desktop.ico``
and ``packaging/macos/ohm-desktop.icns`` (Qt's own ico/icns image writers). Run from anywhere:
``python packaging/make_icons.py``. The outputs are committed, so builds do not need this step;
rerun it only after editing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ICONS = PACKAGING.parent / "ohm_desktop" / "resources" / "icons"
SIZES = (48, 128, 256)
# Platform icon files, rendered at the size their installers display best.
PLATFORM_ICONS = ((PACKAGING / "windows" / "ohm-desktop.ico", 256), (PACKAGING / "macos" / "ohm-desktop.icns", 512))


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
    targets = [(ICONS / f"ohm-desktop-{size}.png", size) for size in SIZES] + list(PLATFORM_ICONS)
    for target, size in targets:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            print(f"Could not write {target}.", file=sys.stderr)
            return 1
        print(target)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
