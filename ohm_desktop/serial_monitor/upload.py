"""Uploading a compiled sketch to a board: arduino-cli when installed, else avrdude.

Uploading rewrites the board's flash, so the window only does it behind an explicit button
that shows :attr:`UploadPlan.description` (tool, board and port) first. Close any serial
session on the port before uploading: the port can only have one user.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ohm_desktop.errors import OhmError, UsageError
from ohm_desktop.firmware.boards import DEBIAN_AVR_PLATFORM, Fqbn, read_board
from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.result import CompileResult
from ohm_desktop.firmware.sketch import Sketch


class UploadToolMissingError(OhmError):
    """Neither arduino-cli nor avrdude is installed."""

    exit_code = 3
    kind = "no_upload_tool"


@dataclass(frozen=True, slots=True)
class UploadPlan:
    """The exact command an upload will run, shown to the user before it runs."""

    tool: str
    argv: tuple[str, ...]
    port: str
    board: str

    @property
    def description(self) -> str:
        return f"Upload to {self.board} on {self.port} with {self.tool}"


@dataclass(frozen=True, slots=True)
class UploadResult:
    ok: bool
    plan: UploadPlan | None
    compile_result: CompileResult
    output: str = ""

    def summary(self) -> str:
        if not self.compile_result.ok:
            return f"Not uploaded: {self.compile_result.summary()}"
        assert self.plan is not None
        if self.ok:
            return f"Uploaded to {self.plan.board} on {self.plan.port}."
        last = self.output.strip().splitlines()[-1:] or ["no output"]
        return (f"Upload to {self.plan.port} failed ({last[0]}). Check the port and board, close other programs "
                "using the port, and press reset on the board if it does not respond.")


def plan_upload(board: str, port: str, hex_file: Path, *, search_path: str | None = None,
                platform_dir: Path = DEBIAN_AVR_PLATFORM) -> UploadPlan:
    """The upload command for ``hex_file``; raises UploadToolMissingError when nothing can upload."""
    if not port:
        raise UsageError("Choose the serial port of the board before uploading.")
    fqbn = Fqbn.parse(board)
    cli = shutil.which("arduino-cli", path=search_path)
    if cli:
        return UploadPlan("arduino-cli", (cli, "upload", "-p", port, "--fqbn", str(fqbn), "--input-file",
                                          str(hex_file)), port, str(fqbn))
    avrdude = shutil.which("avrdude", path=search_path)
    spec = read_board(platform_dir, fqbn) if fqbn.arch == "avr" else None
    if avrdude and spec is not None and spec.upload_protocol:
        argv = [avrdude, "-p", spec.mcu, "-c", spec.upload_protocol, "-P", port]
        if spec.upload_speed:
            argv += ["-b", str(spec.upload_speed)]
        argv += ["-D", "-U", f"flash:w:{hex_file}:i"]
        return UploadPlan("avrdude", tuple(argv), port, str(fqbn))
    raise UploadToolMissingError(
        f"Nothing here can upload to {fqbn}: install arduino-cli (and `arduino-cli core install "
        f"{fqbn.vendor}:{fqbn.arch}`), or for AVR boards on Debian/Ubuntu `sudo apt install avrdude`."
    )


async def upload_sketch(compiler: SketchCompiler, sketch: Sketch, board: str, port: str, *,
                        on_output: Callable[[str], None] | None = None, search_path: str | None = None
                        ) -> UploadResult:
    """Compile ``sketch`` to a .hex, then upload it to the board on ``port``."""
    with tempfile.TemporaryDirectory(prefix="ohm-upload-") as folder:
        hex_file = Path(folder) / f"{sketch.name}.hex"
        compiled = await compiler.compile(sketch, board, hex_out=hex_file)
        if not compiled.ok:
            return UploadResult(False, None, compiled)
        plan = plan_upload(board, port, hex_file, search_path=search_path)
        process = await asyncio.create_subprocess_exec(
            *plan.argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert process.stdout is not None
        chunks: list[str] = []
        async for raw in process.stdout:
            text = raw.decode("utf-8", errors="replace")
            chunks.append(text)
            if on_output is not None:
                on_output(text.rstrip("\n"))
        code = await process.wait()
        return UploadResult(code == 0, plan, compiled, "".join(chunks))
