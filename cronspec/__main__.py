"""``python -m cronspec``: the command line (see cronspec._cli)."""

from ._cli import main

raise SystemExit(main())
