"""Shim so that `python cli.py ...` behaves like the installed `icp-rules` command."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine.cli import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
