"""The checkout runs from any folder: shared data beside the repository or from a setting, no machine paths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from shopassist.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
MACHINE_PATH = "/" + "work/"  # split so that this file does not match itself


def test_shared_data_is_found_beside_the_repository_or_where_the_setting_says(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SHOPASSIST_SHARED_DIR", raising=False)
    assert load_settings().shared_dir == REPO.parent / "shared"
    monkeypatch.setenv("SHOPASSIST_SHARED_DIR", str(tmp_path))
    assert load_settings().shared_data("tau_retail") == tmp_path / "data" / "tau_retail"


def test_no_tracked_file_names_an_absolute_machine_path() -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    offenders = []
    for name in tracked.decode().split("\0"):
        path = REPO / name
        if not name or not path.is_file():
            continue
        for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), start=1):
            if MACHINE_PATH in line:
                offenders.append(f"{name}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)
