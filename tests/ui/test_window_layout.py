"""Layout a bench user meets on first run and on a small screen (issue #17)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication


def _app_window(runtime: Any, qtbot: Any) -> Any:
    from ohm_desktop.app import compose

    window = compose(runtime).window
    qtbot.addWidget(window)
    window.show()
    QApplication.processEvents()
    return window


def test_first_run_keeps_the_serial_monitor_small(runtime, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _app_window(runtime, qtbot)
    serial = window.docks["serial"]
    assert serial.height() <= window.height() * 0.2  # it took ~40 % before
    window.close()


def test_usable_at_800_by_600_and_smaller_than_726_wide(runtime, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = _app_window(runtime, qtbot)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    QApplication.processEvents()
    transcript = window.transcript.list
    assert transcript.width() >= 280 and transcript.height() >= 200  # was ~190 × 80
    assert window.minimumSizeHint().width() <= 640
    window.resize(660, 480)
    qtbot.waitUntil(lambda: window.width() == 660)
    window.close()


def test_a_long_pending_banner_does_not_widen_its_dock(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    dock = window.docks["code"]
    dock.show()
    dock.raise_()
    QApplication.processEvents()
    before = dock.width()
    window.panels["code"].show_pending(" (" + "a very long detail " * 20 + ")")
    QApplication.processEvents()
    assert dock.width() == before


def test_toasts_do_not_cover_the_docks_or_take_their_clicks(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    for text in ("one", "two", "three", "four", "four"):
        window.notify(text)
    QApplication.processEvents()
    shown = window.toasts.toasts
    assert [t.text() for t in shown] == ["two", "three", "four"]  # at most three, no repeats
    for toast in shown:
        assert toast.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        for dock in window.docks.values():
            if dock.isVisible() and not dock.isFloating():
                assert not QRect(toast.geometry()).intersects(dock.geometry())
