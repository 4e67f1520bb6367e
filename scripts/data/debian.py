"""Fetch files from Debian packages without installing them (apt-get download + dpkg-deb -x)."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def extract_packages(names: list[str]) -> Path:
    """A fresh folder holding the packages' files (usr/share/...); nothing on the system changes."""
    dest = Path(tempfile.mkdtemp())
    subprocess.run(["apt-get", "download", *names], cwd=dest, check=True)
    for deb in dest.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(dest / "root")], check=True)
    return dest / "root"
