"""What an import did: rows loaded per kind, rows rejected with where and why."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Rejection(BaseModel):
    where: str = Field(description="e.g. 'line 12' or 'users.json: noah_brown_6181'")
    reason: str


class ImportReport(BaseModel):
    format: str
    source: str
    loaded: dict[str, int] = Field(default_factory=dict)
    rejected: list[Rejection] = Field(default_factory=list)

    def reject(self, where: str, reason: str) -> None:
        self.rejected.append(Rejection(where=where, reason=reason))

    def summary(self, limit: int = 5) -> str:
        loaded = ", ".join(f"{count:,} {kind}" for kind, count in self.loaded.items()) or "nothing"
        lines = [f"loaded {loaded}; rejected {len(self.rejected):,}"]
        lines += [f"  {rejection.where}: {rejection.reason}" for rejection in self.rejected[:limit]]
        if len(self.rejected) > limit:
            lines.append(f"  … and {len(self.rejected) - limit:,} more")
        return "\n".join(lines)
