"""What `pip install icp-rulepacks` puts on a machine: installed size and package count of the core
install (no extras), in a fresh virtual environment, with the versions of the committed lock.

    .venv/bin/python bench/install_size.py                 # this checkout
    .venv/bin/python bench/install_size.py --project DIR   # another checkout (e.g. an older commit)
    .venv/bin/python bench/install_size.py --extra serve   # the core plus an extra

The project itself is installed from a wheel built from DIR, as a user would get it; the lock is
DIR's constraints.txt when it has one, else this checkout's. Needs the package index (or pip's cache).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

HERE = Path(__file__).resolve().parent.parent


def tree_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, default=HERE)
    parser.add_argument("--extra", default="")
    args = parser.parse_args()
    project = args.project.resolve()
    lock = project / "constraints.txt" if (project / "constraints.txt").exists() else HERE / "constraints.txt"
    print("machine:", describe())
    with tempfile.TemporaryDirectory(prefix="icp-rules-install-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        quiet = pip + ["--quiet"]
        subprocess.run(quiet + ["install", "-c", str(lock), "pip", "setuptools", "wheel"], check=True)
        site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   check=True, capture_output=True, text=True).stdout.strip())
        baseline = {p["name"].lower() for p in json.loads(subprocess.run(
            pip + ["list", "--format", "json"], check=True, capture_output=True, text=True).stdout)}
        empty = tree_bytes(site)
        wheels = Path(tmp) / "wheels"
        subprocess.run(quiet + ["wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(project)], check=True)
        wheel = next(wheels.glob("*.whl"))
        target = f"{wheel}[{args.extra}]" if args.extra else str(wheel)
        subprocess.run(quiet + ["install", "-c", str(lock), target], check=True)
        installed = json.loads(subprocess.run(pip + ["list", "--format", "json"], check=True,
                                              capture_output=True, text=True).stdout)
        added = sorted(p["name"] for p in installed if p["name"].lower() not in baseline)
        size = tree_bytes(site) - empty
    what = f"icp-rulepacks[{args.extra}]" if args.extra else "icp-rulepacks"
    print(f"{what} from {project}: {len(added)} packages, {size / 1e6:.1f} MB installed")
    print("  " + ", ".join(added))


if __name__ == "__main__":
    main()
