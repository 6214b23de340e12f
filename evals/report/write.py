"""Writes an evaluation report as Markdown, HTML (plots inlined by path) and a JSON summary."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field


class Section(BaseModel):
    title: str
    status: Literal["ok", "not available", "failed"] = "ok"
    note: str = ""
    summary: dict[str, Any] = Field(default_factory=dict)
    table: list[dict[str, Any]] = Field(default_factory=list)
    details: list[str] = Field(default_factory=list, description="Plain-text lines, e.g. per-turn diffs")
    plots: list[str] = Field(default_factory=list, description="PNG file names inside the report folder")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items() if not isinstance(v, dict))
    if value is None:
        return "–"
    return str(value)


def _scalars(summary: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key, _cell(value)) for key, value in summary.items() if not isinstance(value, list)
            and not (isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()))]


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def to_markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.status != "ok":
            lines += [f"**{section.status}**" + (f": {section.note}" if section.note else ""), ""]
            continue
        if section.note:
            lines += [section.note, ""]
        if section.summary:
            lines += ["| metric | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in _scalars(section.summary)], ""]
        if section.table:
            columns = _columns(section.table)
            lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
            lines += ["| " + " | ".join(_cell(row.get(c)).replace("|", "\\|") for c in columns) + " |"
                      for row in section.table]
            lines.append("")
        lines += [f"![{plot}]({plot})" for plot in section.plots]
        if section.details:
            lines += ["", "```text", *section.details, "```"]
        lines.append("")
    return "\n".join(lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(title: str, sections: list[Section]) -> str:
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.status != "ok":
            parts.append(f"<p class='na'><b>{html.escape(section.status)}</b> {html.escape(section.note)}</p>")
            continue
        if section.note:
            parts.append(f"<p>{html.escape(section.note)}</p>")
        if section.summary:
            parts.append(_html_table(["metric", "value"], [[k, v] for k, v in _scalars(section.summary)]))
        if section.table:
            columns = _columns(section.table)
            parts.append(_html_table(columns, [[_cell(row.get(c)) for c in columns] for row in section.table]))
        parts += [f"<img src='{html.escape(plot)}' alt='{html.escape(plot)}'>" for plot in section.plots]
        if section.details:
            parts.append("<pre>" + html.escape("\n".join(section.details)) + "</pre>")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;"
             "margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}img{max-width:100%}"
             ".na{color:#a60}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")


def write_report(out_dir: Path, title: str, sections: list[Section], data: dict[str, Any]) -> dict[str, Path]:
    """report.md, report.html and summary.json (the sections' summaries plus `data`) in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out_dir / "report.md", "html": out_dir / "report.html", "json": out_dir / "summary.json"}
    paths["markdown"].write_text(to_markdown(title, sections), encoding="utf-8")
    paths["html"].write_text(to_html(title, sections), encoding="utf-8")
    summary = {"title": title, "sections": {s.title: {"status": s.status, "note": s.note, "summary": s.summary}
                                            for s in sections}, **data}
    paths["json"].write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return paths
