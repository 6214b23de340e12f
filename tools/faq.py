"""`search_faq`: policy and FAQ passages with ids, titles and sections to cite, or an explicit 'nothing relevant'."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tools.base import Tool, ToolContext
from tools.display import Citation

SNIPPET_CHARS = 400


class SearchFaqInput(BaseModel):
    """Look up this shop's policies and FAQ (returns, shipping, warranty, payment, privacy, sizing)."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=300, description="The question, e.g. 'how long do refunds take?'")
    limit: int = Field(3, ge=1, le=8)


class FaqPassage(BaseModel):
    id: str = Field(description="Passage id to cite, e.g. 'returns-window'")
    title: str
    section: str
    source: str
    text: str
    score: float
    language: str = Field("en", description="'en' or 'zh'")


class SearchFaqOutput(BaseModel):
    found: bool = Field(description="False means no passage is relevant: do not answer from memory")
    passages: list[FaqPassage]
    note: str = ""

    def citations(self) -> list[Citation]:
        return [Citation(id=p.id, title=p.title, section=p.section, source=p.source) for p in self.passages]


def search_faq(context: ToolContext, arguments: SearchFaqInput) -> SearchFaqOutput:
    hits = context.deps.search.passages.search(arguments.query, arguments.limit)
    passages = [
        FaqPassage(id=h.passage.id, title=h.passage.title, section=h.passage.section, source=h.passage.source,
                   text=h.passage.text[:SNIPPET_CHARS], score=round(h.score, 4), language=h.passage.language)
        for h in hits
    ]
    note = "" if passages else "Nothing relevant in the shop's policies; offer a human agent instead of guessing."
    return SearchFaqOutput(found=bool(passages), passages=passages, note=note)


SEARCH_FAQ: Tool[SearchFaqInput, SearchFaqOutput] = Tool(
    name="search_faq",
    description="Search the shop's policies and FAQ; returns passages to cite, or found=false when nothing is "
    "relevant.",
    input_model=SearchFaqInput,
    function=search_faq,
    discovery=True,
)
