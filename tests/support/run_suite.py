"""Run the whole test suite the way CI does.

Qt runs offscreen. When dbus and gnome-keyring are installed, the suite runs inside a private
D-Bus session with an unlocked Secret Service so keyring tests use a real backend; nothing
touches the developer's own keyring. pytest's "no tests collected" (exit 5) is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile


def main() -> int:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # A throwaway HOME so keyring files, QSettings and platformdirs never touch the real one.
    home = tempfile.mkdtemp(prefix="ohm-test-home-")
    env["HOME"] = home
    env["XDG_DATA_HOME"] = os.path.join(home, ".local/share")
    env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
    env["XDG_RUNTIME_DIR"] = os.path.join(home, "run")
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *sys.argv[1:]]
    if shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"):
        # An empty password leaves no default collection and keyring then waits for a prompt.
        script = (
            'eval "$(printf ohm-test-keyring | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null; '
            'export GNOME_KEYRING_CONTROL; exec "$@"'
        )
        command = ["dbus-run-session", "--", "sh", "-c", script, "sh", *pytest]
    else:
        command = pytest
    code = subprocess.call(command, env=env)
    if code == 5:
        print("pytest collected no tests: that is a failure for this suite.", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
