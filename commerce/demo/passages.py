"""FAQ and policy passages, read from the markdown files in `policies/` (one passage per `## Title {#anchor}`)."""

from __future__ import annotations

import re
from pathlib import Path

from commerce.models import Passage

POLICY_DIR = Path(__file__).parent / "policies"
HEADING = re.compile(r"^## (?P<title>.+?) \{#(?P<anchor>[a-z0-9-]+)\}\s*$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def parse_policy(section: str, markdown: str) -> list[Passage]:
    """Passages of one policy file; the file name (without .md) is the section."""
    passages: list[Passage] = []
    title, anchor, lines = "", "", []
    for line in [*markdown.splitlines(), "## end {#end}"]:
        match = HEADING.match(line)
        if not match:
            if anchor and line.strip():
                lines.append(line.strip())
            continue
        if anchor:
            text = " ".join(lines)
            passages.append(
                Passage(
                    id=f"{section}-{anchor}",
                    title=title,
                    section=section,
                    text=text,
                    source=f"policies/{section}.md#{anchor}",
                    language="zh" if CJK.search(title + text) else "en",
                )
            )
        title, anchor, lines = match["title"], match["anchor"], []
    return passages


def load_passages(directory: Path = POLICY_DIR) -> list[Passage]:
    return [
        passage
        for path in sorted(directory.glob("*.md"))
        for passage in parse_policy(path.stem, path.read_text(encoding="utf-8"))
    ]
