"""Build a sketch with avr-gcc and an Arduino AVR platform folder, the way the Arduino IDE does.

The compiled core (and each library) only depends on the board and the toolchain, so it is
built once into the cache folder and reused: a repeated check only compiles the sketch and links.
Cache entries are built in a private folder and renamed into place, so two processes checking at
once never see half an archive.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ohm_desktop.firmware.boards import BoardSpec
from ohm_desktop.firmware.diagnostics import parse_gcc_output
from ohm_desktop.firmware.result import CompileDiagnostic
from ohm_desktop.firmware.sketch import Sketch, preprocess_ino
from ohm_desktop.firmware.toolchain import AvrGccToolchain

ARDUINO_IDE_VERSION = "10819"
# Bump when the flags below change, so stale cached cores are not reused.
_FLAGS_REVISION = "1"
_C_FLAGS = ("-c", "-g", "-Os", "-w", "-std=gnu11", "-ffunction-sections", "-fdata-sections", "-flto",
            "-fno-fat-lto-objects")
_CPP_FLAGS = ("-c", "-g", "-Os", "-w", "-std=gnu++11", "-fpermissive", "-fno-exceptions", "-ffunction-sections",
              "-fdata-sections", "-fno-threadsafe-statics", "-Wno-error=narrowing", "-flto",
              # Debian's gcc-avr 5.4 float.h only defines DECIMAL_DIG for C99, not C++;
              # the core's WString.cpp needs it.
              "-DDECIMAL_DIG=__DECIMAL_DIG__")
_S_FLAGS = ("-c", "-g", "-x", "assembler-with-cpp", "-flto")
_LINK_FLAGS = ("-w", "-Os", "-g", "-flto", "-fuse-linker-plugin", "-Wl,--gc-sections")
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
_SIZE_LINE = re.compile(r"^(\.\w+)\s+(\d+)\s+\d+", re.MULTILINE)


@dataclass
class AvrBuildOutcome:
    diagnostics: list[CompileDiagnostic] = field(default_factory=list)
    output: str = ""
    flash_bytes: int | None = None
    ram_bytes: int | None = None
    cached_core: bool = False
    elf: Path | None = None


@dataclass(frozen=True, slots=True)
class _Library:
    name: str
    source_dirs: tuple[Path, ...]


class AvrBuilder:
    """Compiles sketches for AVR boards; one per process, it shares the core cache between checks."""

    def __init__(self, toolchain: AvrGccToolchain, cache_dir: Path, *, jobs: int | None = None,
                 library_dirs: Sequence[Path] | None = None) -> None:
        self.toolchain = toolchain
        self.cache_dir = cache_dir
        self._jobs = asyncio.Semaphore(jobs or max(1, os.cpu_count() or 1))
        self._locks: dict[str, asyncio.Lock] = {}
        self.library_dirs = tuple(library_dirs) if library_dirs is not None else (
            toolchain.platform_dir / "libraries",
            Path("/usr/share/arduino/libraries"),
            Path.home() / "Arduino" / "libraries",
        )

    async def build(self, sketch: Sketch, board: BoardSpec, work_dir: Path, *, hex_out: Path | None = None
                    ) -> AvrBuildOutcome:
        outcome = AvrBuildOutcome()
        source_root = sketch.write_to(work_dir / "src")
        build_dir = work_dir / "build"
        build_dir.mkdir(parents=True, exist_ok=True)
        libraries = self._resolve_libraries(sketch)
        includes = self._core_includes(board) + [f"-I{d}" for lib in libraries for d in lib.source_dirs]
        includes.append(f"-I{source_root}")
        core_archive, outcome.cached_core = await self._core_archive(board)
        library_objects: list[Path] = []
        for library in libraries:
            library_objects.extend(await self._library_objects(board, library, includes))

        main_cpp = build_dir / f"{sketch.name}.ino.cpp"
        main_cpp.write_text(preprocess_ino(sketch, source_root), encoding="utf-8")
        units = [main_cpp] + [source_root / f.path for f in sketch.files
                              if f.path.endswith((".c", ".cpp", ".S"))]
        results = await asyncio.gather(*(
            self._compile(unit, build_dir / f"unit{index}.o", board, includes) for index, unit in enumerate(units)
        ))
        # Temporary build paths mean nothing to the user; the sketch's own file names do.
        output = "".join(text for _, text in results).replace(f"{source_root}/", "")
        roots = [source_root, build_dir]
        if not all(ok for ok, _ in results):
            outcome.output = output
            outcome.diagnostics = parse_gcc_output(output, roots) or [
                CompileDiagnostic("The compiler failed without a message; see the output.")]
            return outcome

        elf = build_dir / f"{sketch.name}.elf"
        objects = [str(build_dir / f"unit{index}.o") for index in range(len(units))]
        code, link_out = await _run([
            self.toolchain.tool("avr-gcc"), *_LINK_FLAGS, f"-mmcu={board.mcu}", "-o", str(elf),
            *objects, *(str(o) for o in library_objects), str(core_archive), f"-L{build_dir}", "-lm",
        ])
        output += link_out.replace(f"{source_root}/", "")
        outcome.output = output
        if code != 0:
            outcome.diagnostics = parse_gcc_output(link_out, roots) or [
                CompileDiagnostic("Linking failed; see the output.")]
            return outcome
        code, size_out = await _run([self.toolchain.tool("avr-size"), "-A", str(elf)])
        sections = {name: int(size) for name, size in _SIZE_LINE.findall(size_out)}
        outcome.flash_bytes = sections.get(".text", 0) + sections.get(".data", 0) + sections.get(".bootloader", 0)
        outcome.ram_bytes = sections.get(".data", 0) + sections.get(".bss", 0) + sections.get(".noinit", 0)
        outcome.elf = elf
        if board.flash_max is not None and outcome.flash_bytes > board.flash_max:
            outcome.diagnostics.append(CompileDiagnostic(
                f"Sketch too big: it uses {outcome.flash_bytes} bytes of program storage, "
                f"the {board.name} has {board.flash_max}."))
        if board.ram_max is not None and outcome.ram_bytes > board.ram_max:
            outcome.diagnostics.append(CompileDiagnostic(
                f"Not enough memory: global variables use {outcome.ram_bytes} bytes, "
                f"the {board.name} has {board.ram_max}."))
        if hex_out is not None and not outcome.diagnostics:
            code, hex_output = await _run([self.toolchain.tool("avr-objcopy"), "-O", "ihex", "-R", ".eeprom",
                                           str(elf), str(hex_out)])
            if code != 0:
                outcome.diagnostics.append(CompileDiagnostic(f"Could not write the .hex file: {hex_output.strip()}"))
        return outcome

    # ----------------------------------------------------------------- pieces
    def _core_includes(self, board: BoardSpec) -> list[str]:
        platform = self.toolchain.platform_dir
        return [f"-I{platform / 'cores' / board.core}", f"-I{platform / 'variants' / board.variant}"]

    def _defines(self, board: BoardSpec) -> list[str]:
        return [f"-mmcu={board.mcu}", f"-DF_CPU={board.f_cpu}", f"-DARDUINO={ARDUINO_IDE_VERSION}",
                f"-DARDUINO_{board.board_define}", "-DARDUINO_ARCH_AVR", *board.extra_flags]

    def _cache_key(self, board: BoardSpec, extra: str = "") -> str:
        basis = "|".join([_FLAGS_REVISION, self.toolchain.gcc_version, str(self.toolchain.platform_dir),
                          self.toolchain.platform_version, board.mcu, board.f_cpu, board.board_define,
                          board.core, board.variant, " ".join(board.extra_flags), extra])
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    async def _core_archive(self, board: BoardSpec) -> tuple[Path, bool]:
        """The board's compiled core (``core.a``) and whether it came from the cache."""
        key = self._cache_key(board)
        final = self.cache_dir / "core" / key
        archive = final / "core.a"
        async with self._locks.setdefault(key, asyncio.Lock()):
            if archive.is_file():
                return archive, True
            core_dir = self.toolchain.platform_dir / "cores" / board.core
            sources = sorted(p for p in core_dir.rglob("*") if p.suffix in (".c", ".cpp", ".S"))
            objects = await self._compile_into_cache(final, sources, board, self._core_includes(board), "core")
            return objects, False

    async def _library_objects(self, board: BoardSpec, library: _Library, includes: list[str]) -> list[Path]:
        key = self._cache_key(board, f"lib:{library.name}:{library.source_dirs}")
        final = self.cache_dir / "lib" / f"{library.name}-{key}"
        async with self._locks.setdefault(key, asyncio.Lock()):
            if not (final / "lib.a").is_file():
                sources = sorted(p for d in library.source_dirs for p in d.glob("*") if p.suffix in (".c", ".cpp", ".S"))
                await self._compile_into_cache(final, sources, board, includes, "lib")
        return [final / "lib.a"]

    async def _compile_into_cache(self, final: Path, sources: list[Path], board: BoardSpec, includes: list[str],
                                  what: str) -> Path:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
        try:
            results = await asyncio.gather(*(
                self._compile(source, staging / f"{index}-{source.name}.o", board, includes)
                for index, source in enumerate(sources)
            ))
            failures = "".join(text for ok, text in results if not ok)
            if failures:
                raise RuntimeError(f"The Arduino {what} does not compile with this toolchain:\n{failures[-2000:]}")
            archive_name = "core.a" if what == "core" else "lib.a"
            objects = sorted(str(p) for p in staging.glob("*.o"))
            code, text = await _run([self.toolchain.tool("avr-gcc-ar"), "rcs", str(staging / archive_name), *objects])
            if code != 0:
                raise RuntimeError(f"Archiving the Arduino {what} failed: {text}")
            try:
                os.replace(staging, final)
            except OSError:
                # Another process finished the same entry first; theirs is as good as ours.
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final / archive_name

    async def _compile(self, source: Path, obj: Path, board: BoardSpec, includes: list[str]) -> tuple[bool, str]:
        if source.suffix == ".c":
            argv = [self.toolchain.tool("avr-gcc"), *_C_FLAGS]
        elif source.suffix == ".S":
            argv = [self.toolchain.tool("avr-gcc"), *_S_FLAGS]
        else:
            argv = [self.toolchain.tool("avr-g++"), *_CPP_FLAGS]
        argv += [*self._defines(board), *includes, str(source), "-o", str(obj)]
        async with self._jobs:
            code, text = await _run(argv)
        return code == 0, text

    def _resolve_libraries(self, sketch: Sketch) -> list[_Library]:
        """Libraries providing the headers the sketch (and those libraries) include."""
        own = {f.path.rsplit("/", 1)[-1] for f in sketch.files}
        wanted = [h for f in sketch.files for h in _INCLUDE.findall(f.content)]
        found: dict[str, _Library] = {}
        checked: set[str] = set()
        while wanted:
            header = wanted.pop()
            if header in checked or header in own:
                continue
            checked.add(header)
            library = self._library_for(header)
            if library is None or library.name in found:
                continue
            found[library.name] = library
            for directory in library.source_dirs:
                for source in directory.glob("*"):
                    if source.suffix in (".h", ".c", ".cpp"):
                        wanted.extend(_INCLUDE.findall(source.read_text(encoding="utf-8", errors="replace")))
        return list(found.values())

    def _library_for(self, header: str) -> _Library | None:
        for root in self.library_dirs:
            if not root.is_dir():
                continue
            for library in sorted(root.iterdir()):
                src = library / "src"
                base = src if src.is_dir() else library
                if (base / header).is_file():
                    dirs = [base] + [d for d in (base / "utility",) if d.is_dir()]
                    return _Library(library.name, tuple(dirs))
        return None


async def _run(argv: list[str]) -> tuple[int, str]:
    """Run a tool without blocking the event loop; stdout and stderr together."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await process.communicate()
    except asyncio.CancelledError:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    return int(process.returncode or 0), out.decode("utf-8", errors="replace")
