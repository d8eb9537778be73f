"""``python -m ohm_desktop.cli`` runs the ``ohm`` command."""

from ohm_desktop.cli import main

raise SystemExit(main())
