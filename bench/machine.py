"""The machine a benchmark ran on, in one line: every script under bench/ prints it first, so a
figure copied into docs/performance.md carries the machine and how busy it was."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, load average {load:.2f}")
