from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support.pty_pair import pty_board

__all__ = ["pty_board", "qt_loop"]


@pytest.fixture
def qt_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """An asyncio loop running on the Qt event loop, as in the app (qasync)."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()
