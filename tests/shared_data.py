"""Where tests find the shared data sets: SHOPASSIST_SHARED_DIR, or ../shared beside the repository."""

from __future__ import annotations

from shopassist.settings import load_settings

SHARED_DATA = load_settings(env="test").shared_dir / "data"
TAU_DIR = SHARED_DATA / "tau_retail"
ABCD_SAMPLE = SHARED_DATA / "abcd" / "abcd_sample.json"
