"""Listeners[T] and the store's use of it: a broken subscriber never breaks a committed write."""

from __future__ import annotations

import logging

import pytest

from ohm_desktop.listeners import Listeners
from ohm_desktop.store import LocalStore, StoreChange


def test_failing_listener_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    listeners: Listeners[int] = Listeners("test")
    heard: list[int] = []

    def broken(_value: int) -> None:
        raise ValueError("boom")

    listeners.subscribe(broken)
    listeners.subscribe(heard.append)
    with caplog.at_level(logging.ERROR):
        listeners.emit(7)
    assert heard == [7]
    assert "a test listener failed on int" in caplog.text


def test_unsubscribe_stops_delivery_and_is_idempotent() -> None:
    listeners: Listeners[str] = Listeners("test")
    heard: list[str] = []
    unsubscribe = listeners.subscribe(heard.append)
    listeners.emit("a")
    unsubscribe()
    unsubscribe()
    listeners.emit("b")
    assert heard == ["a"] and len(listeners) == 0


def test_a_listener_raising_does_not_make_a_committed_write_raise() -> None:
    store = LocalStore.open_in_memory()
    heard: list[StoreChange] = []

    def broken(_change: StoreChange) -> None:
        raise RuntimeError("a window that renders inside the commit and fails")

    store.subscribe(broken)
    store.subscribe(heard.append)
    chat = store.create_chat("Robot")  # must not raise
    message = store.add_message(chat.id, "user", "hello")
    assert store.get_message(message.id).content == "hello"
    assert [change.table for change in heard] == ["chats", "messages"]
