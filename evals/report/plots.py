"""Matplotlib figures for evaluation reports (Agg backend, PNG files)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def bar_chart(path: Path, values: Mapping[str, float | None], title: str, ylabel: str = "rate") -> Path:
    names = list(values)
    heights = [values[name] or 0.0 for name in names]
    figure, axes = plt.subplots(figsize=(max(5.0, 0.55 * len(names) + 2), 3.6))
    axes.bar(names, heights, color="#4477aa")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    if all(0 <= h <= 1 for h in heights):
        axes.set_ylim(0, 1.05)
    axes.tick_params(axis="x", rotation=45, labelsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def grouped_bars(path: Path, groups: Mapping[str, Mapping[str, float | None]], title: str) -> Path:
    """`groups`: category -> {metric: value}; one colour per metric."""
    categories = list(groups)
    metrics = list(dict.fromkeys(m for values in groups.values() for m in values))
    width = 0.8 / max(len(metrics), 1)
    figure, axes = plt.subplots(figsize=(max(6.0, 0.7 * len(categories) + 2), 3.8))
    for index, metric in enumerate(metrics):
        xs = [i + index * width for i in range(len(categories))]
        axes.bar(xs, [groups[c].get(metric) or 0.0 for c in categories], width, label=metric)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(categories))], categories, rotation=45, fontsize=8)
    axes.set_ylim(0, 1.05)
    axes.set_title(title)
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def latency_histogram(path: Path, latencies_ms: Sequence[float], title: str) -> Path:
    figure, axes = plt.subplots(figsize=(5.5, 3.4))
    axes.hist([v / 1000 for v in latencies_ms], bins=20, color="#66aa55")
    axes.set_xlabel("seconds")
    axes.set_ylabel("turns")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
