"""Finding what can compile a sketch on this machine: arduino-cli, or Debian's AVR toolchain."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ohm_desktop.firmware.boards import DEBIAN_AVR_PLATFORM

INSTALL_HINT = (
    "No Arduino toolchain is installed, so the sketch was not compiled. Install arduino-cli "
    "(then run `arduino-cli core install arduino:avr`), or on Debian/Ubuntu run "
    "`sudo apt install gcc-avr avr-libc binutils-avr arduino-core-avr`, then check again."
)


@dataclass(frozen=True, slots=True)
class ArduinoCliToolchain:
    """The official command line builder; handles any board whose core the user installed."""

    executable: Path

    @property
    def label(self) -> str:
        return "arduino-cli"


@dataclass(frozen=True, slots=True)
class AvrGccToolchain:
    """avr-gcc/avr-g++/binutils plus an Arduino AVR platform folder (Debian's arduino-core-avr)."""

    bin_dir: Path
    platform_dir: Path
    gcc_version: str
    platform_version: str

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    @property
    def label(self) -> str:
        return f"avr-gcc {self.gcc_version} + Arduino AVR core {self.platform_version}"


Toolchain = ArduinoCliToolchain | AvrGccToolchain
_AVR_TOOLS = ("avr-gcc", "avr-g++", "avr-gcc-ar", "avr-size", "avr-objcopy")


def discover_toolchains(
    search_path: str | None = None, platform_dirs: tuple[Path, ...] = (DEBIAN_AVR_PLATFORM,)
) -> list[Toolchain]:
    """Installed toolchains, preferred first. ``search_path`` replaces ``$PATH`` (tests use it)."""
    path = os.environ.get("PATH", "") if search_path is None else search_path
    found: list[Toolchain] = []
    cli = shutil.which("arduino-cli", path=path)
    if cli:
        found.append(ArduinoCliToolchain(Path(cli)))
    gcc = shutil.which("avr-gcc", path=path)
    if gcc and all(shutil.which(tool, path=path) for tool in _AVR_TOOLS):
        version = _gcc_version(gcc)
        for platform in platform_dirs:
            if (platform / "boards.txt").is_file() and (platform / "cores").is_dir():
                found.append(AvrGccToolchain(Path(gcc).parent, platform, version, _platform_version(platform)))
    return found


def _gcc_version(gcc: str) -> str:
    try:
        done = subprocess.run([gcc, "-dumpversion"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def _platform_version(platform: Path) -> str:
    try:
        for line in (platform / "platform.txt").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("version="):
                return line.partition("=")[2].strip()
    except OSError:
        pass
    return "unknown"
