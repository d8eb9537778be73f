"""`make wheelhouse`: a fresh venv installs Ohm Desktop from wheelhouse/ alone (`pip install --no-index`)."""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, project_version, run_command, user_environment

WHEELHOUSE = ROOT / "wheelhouse"


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    if not any(WHEELHOUSE.glob("ohm_desktop-*.whl")):
        pytest.fail(f"{WHEELHOUSE} has no ohm_desktop wheel: run `make wheelhouse` (`make dist-test` does).")
    return WHEELHOUSE


def _fresh_venv(target: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    return target / "bin" / "python"


def _offline_env() -> dict[str, str]:
    # No index, no extra mirrors or find-links from the machine's pip config: only the wheelhouse.
    env = user_environment(PIP_CONFIG_FILE="/dev/null", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        env.pop(name, None)
    return env


def test_installs_by_name_without_an_index(wheelhouse: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    env = _offline_env()
    install = run_command(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            "ohm-desktop",
        ],
        env=env,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    version = run_command([str(tmp_path / "venv" / "bin" / "ohm"), "--version"], env=env, cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"ohm {project_version()}"
    imports = run_command(
        [
            str(python),
            "-c",
            "import PySide6.QtWidgets, qasync, openai, supabase, keyring, ohm_desktop.config as c; "
            "assert (c.resources_dir() / 'agents.toml').exists()",
        ],
        env=env,
        cwd=tmp_path,
    )
    assert imports.returncode == 0, imports.stderr


def test_installs_from_a_source_tree_without_an_index(wheelhouse: Path, tmp_path: Path) -> None:
    """A source checkout builds offline too: the wheelhouse carries the build backend."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "ohm_desktop", source / "ohm_desktop", ignore=shutil.ignore_patterns("__pycache__")
    )
    python = _fresh_venv(tmp_path / "venv")
    install = run_command(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(wheelhouse),
            str(source),
        ],
        env=_offline_env(),
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert subprocess.run([str(python), "-c", "import ohm_desktop"], cwd=tmp_path).returncode == 0
