"""Streamed tokens are coalesced into frames per window; nothing is lost or reordered."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from agent.events import DoneEvent, TokenEvent, ToolCallEvent
from serving.coalesce import Coalescer, merge_tokens


def test_adjacent_tokens_merge_and_other_events_keep_their_place() -> None:
    call = ToolCallEvent(name="search_products", arguments={}, result_ids=[], latency_ms=1.0)
    merged = merge_tokens([TokenEvent(text="a"), TokenEvent(text="b"), call, TokenEvent(text="c")])
    assert merged == [TokenEvent(text="ab"), call, TokenEvent(text="c")]


def test_tokens_arriving_within_a_window_go_out_as_one_frame() -> None:
    async def scenario() -> list[BaseModel]:
        published: list[BaseModel] = []

        async def publish(event: BaseModel) -> None:
            published.append(event)

        frames = Coalescer(publish, window_s=0.05)
        for word in ("Here", " are", " two"):
            frames.put(TokenEvent(text=word))
        await asyncio.sleep(0.1)
        frames.put(TokenEvent(text=" tents."))
        frames.put(DoneEvent(text="Here are two tents.", model="m"))
        await frames.close()
        return published

    published = asyncio.run(scenario())
    assert published == [TokenEvent(text="Here are two"), TokenEvent(text=" tents."),
                         DoneEvent(text="Here are two tents.", model="m")]


def test_a_token_after_a_quiet_window_goes_out_at_once_and_one_right_after_a_frame_waits_out_the_window() -> None:
    async def scenario() -> list[tuple[str, float]]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        published: list[tuple[str, float]] = []

        async def publish(event: BaseModel) -> None:
            assert isinstance(event, TokenEvent)
            published.append((event.text, loop.time() - started))

        frames = Coalescer(publish, window_s=0.2)
        frames.put(TokenEvent(text="One sentence."))
        await asyncio.sleep(0.02)
        frames.put(TokenEvent(text=" Two"))
        await asyncio.sleep(0.02)
        frames.put(TokenEvent(text=" words."))
        await frames.close()
        return published

    published = asyncio.run(scenario())
    assert [text for text, _ in published] == ["One sentence.", " Two words."]
    assert published[0][1] < 0.1  # not held for the window
    assert published[1][1] >= 0.19  # the second frame waited for the rest of the window
