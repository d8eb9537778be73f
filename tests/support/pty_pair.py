"""A pseudo-terminal pair stands in for a board: the session opens the slave, the test plays the device.

Used by tests/unit/serial_monitor and tests/ui/serial (import ``pty_board`` into a conftest)."""

from __future__ import annotations

import asyncio
import os
import tty
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class FakeBoardEnd:
    """The device side of the pty: what the board would write and read."""

    fd: int
    port: str

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    async def read_until(self, marker: bytes, timeout: float = 2.0) -> bytes:
        received = b""
        deadline = asyncio.get_running_loop().time() + timeout
        while marker not in received:
            try:
                received += os.read(self.fd, 1024)
            except BlockingIOError:
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"device never received {marker!r}; got {received!r}") from None
                await asyncio.sleep(0.01)
        return received


@pytest.fixture
def pty_board() -> Iterator[FakeBoardEnd]:
    master, slave = os.openpty()
    tty.setraw(master)
    os.set_blocking(master, False)
    try:
        yield FakeBoardEnd(master, os.ttyname(slave))
    finally:
        os.close(slave)
        os.close(master)


async def wait_for(predicate: object, timeout: float = 2.0) -> None:
    """Poll ``predicate()`` until true (the session reads in the background)."""
    assert callable(predicate)
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)
