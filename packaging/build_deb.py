"""Build ``ohm-desktop_<version>_<arch>.deb`` from the frozen folder with ``dpkg-deb`` (xz).

Layout: the folder in ``/opt/ohm-desktop``; ``/usr/bin/ohm`` and ``/usr/bin/ohm-desktop`` are
symlinks into it (the frozen entry point picks the command from the name it was started as);
the menu entry and hicolor icons under ``/usr/share``. ``Depends`` is derived the way
dpkg-shlibdeps does it: every ELF file in the bundle is run through ``ldd`` and each system
library it resolves to is mapped to its package with ``dpkg -S`` — so the Qt xcb platform
plugin's libraries (libxcb-cursor0, libxkbcommon-x11-0, libegl1, ...) are declared exactly as
linked on the build distribution. Nothing runs at install time (no maintainer scripts): the
menu and icon caches are refreshed by the desktop-file-utils / hicolor dpkg triggers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

PACKAGE = "ohm-desktop"
INSTALL_DIR = "/opt/ohm-desktop"
MAINTAINER = "Ohm Desktop team <ohm-desktop@users.noreply.github.com>"
# Always declared, even if ldd saw them only indirectly: what Qt's xcb platform needs to open a
# window (libxcb-cursor0 since Qt 6.5, GL/EGL via dlopen by the xcb GL integrations).
BASELINE_DEPENDS = (
    "libc6",
    "libstdc++6",
    "libgcc-s1",
    "libegl1",
    "libgl1",
    "libopengl0",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libglib2.0-0",
    "libx11-6",
    "libx11-xcb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libxcb-xfixes0",
)
ICON_SIZES = (48, 128, 256)


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def _needed(file: Path) -> set[str]:
    """The DT_NEEDED sonames of an ELF file (its direct dependencies)."""
    out = subprocess.run(["readelf", "-d", str(file)], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def linked_system_libraries(bundle: Path) -> tuple[set[str], set[str]]:
    """(system library paths the bundle's ELF files link directly, library names nothing provides).

    Only direct dependencies count (as dpkg-shlibdeps does): the system libraries' own
    dependencies are their packages' business.
    """
    internal = bundle / "_internal"
    search = [internal, internal / "PySide6" / "Qt" / "lib", internal / "PySide6", internal / "shiboken6"]
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(str(p) for p in search))
    resolved: set[str] = set()
    missing: set[str] = set()
    bundle_prefix = str(bundle.resolve())
    for dirpath, _dirnames, filenames in os.walk(bundle):
        for name in filenames:
            file = Path(dirpath) / name
            if file.is_symlink() or not _is_elf(file):
                continue
            needed = _needed(file)
            out = subprocess.run(["ldd", str(file)], capture_output=True, text=True, env=env).stdout
            for line in out.splitlines():
                match = re.match(r"\s*(\S+) => (.*?)(?: \(0x[0-9a-f]+\))?$", line)
                if not match:
                    continue
                soname, target = match.groups()
                if soname not in needed:
                    continue
                if target == "not found":
                    missing.add(soname)
                elif target and not os.path.realpath(target).startswith(bundle_prefix):
                    resolved.add(target)
    return resolved, missing


def owning_packages(library_paths: set[str]) -> set[str]:
    """Debian packages that own the given files (tries the /usr-merged spellings too)."""
    spellings: dict[str, str] = {}
    for path in library_paths:
        for candidate in {path, os.path.realpath(path)}:
            spellings[candidate] = path
            if candidate.startswith("/usr/lib/"):
                spellings[candidate[len("/usr") :]] = path
            elif candidate.startswith("/lib/"):
                spellings["/usr" + candidate] = path
    # One dpkg -S call for all of them; paths no package owns are reported on stderr, and that is fine.
    result = subprocess.run(["dpkg", "-S", *sorted(spellings)], capture_output=True, text=True)
    packages: set[str] = set()
    owned: set[str] = set()
    for line in result.stdout.splitlines():
        owners, _sep, file = line.partition(": ")
        if file in spellings:
            owned.add(spellings[file])
            packages.update(owner.split(":")[0].strip() for owner in owners.split(","))
    unowned = library_paths - owned
    if unowned:
        print(f"note: no Debian package owns {', '.join(sorted(unowned))}; not declared in Depends.")
    return packages


def _debian_arch() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def build_deb(bundle: Path, version: str, out_dir: Path, root: Path) -> Path:
    """Stage the package tree under build/deb and run ``dpkg-deb --build -Zxz``."""
    arch = _debian_arch()
    stage = root / "build" / "deb" / f"{PACKAGE}_{version}_{arch}"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)

    usr_bin = stage / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for command in ("ohm", "ohm-desktop"):
        (usr_bin / command).symlink_to(f"{INSTALL_DIR}/{command}")

    resources = root / "ohm_desktop" / "resources"
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(resources / "ohm-desktop.desktop", applications / "ohm-desktop.desktop")
    hicolor = stage / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(resources / "icons" / f"ohm-desktop-{size}.png", target / "ohm-desktop.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(resources / "icons" / "ohm-desktop.svg", hicolor / "scalable" / "apps" / "ohm-desktop.svg")
    doc = stage / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: ohm-desktop\n\nFiles: *\nLicense: MIT\n"
        "Comment: bundles Python, Qt (LGPLv3, via PySide6) and the Python packages listed in\n"
        " /opt/ohm-desktop/_internal/*.dist-info under their own licenses.\n",
        encoding="utf-8",
    )
    if (root / "CHANGELOG.md").exists():
        shutil.copy2(root / "CHANGELOG.md", doc / "CHANGELOG.md")

    libraries, missing = linked_system_libraries(bundle)
    if missing:
        raise SystemExit(
            "These libraries the frozen app links are not installed on the build machine, so the .deb "
            f"cannot declare them: {', '.join(sorted(missing))}. Install them (see .ci/run) and build again."
        )
    depends = sorted(set(BASELINE_DEPENDS) | owning_packages(libraries))
    installed_kib = sum((Path(d) / f).lstat().st_size for d, _s, fs in os.walk(stage) for f in fs) // 1024

    debian = stage / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        # simavr + headers + gcc: `ohm sketch simulate` and the Code dock's Simulate build their harness.
        "Recommends: gnome-keyring, simavr, libsimavr-dev, gcc\n"
        "Section: electronics\n"
        "Priority: optional\n"
        "Homepage: https://github.com/ohm-desktop/ohm-desktop\n"
        "Description: bench-side hardware design workstation\n"
        " Chat with AI specialists (parts lists, firmware, wiring, debugging) and get\n"
        " versioned, exportable design artifacts. Provides the ohm-desktop window and\n"
        " the ohm command line; keys are kept in the Secret Service keyring.\n",
        encoding="utf-8",
    )
    for path in [stage, *stage.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path.is_file():
            path.chmod(0o755 if os.access(path, os.X_OK) else 0o644)

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target
