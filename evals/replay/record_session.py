"""Plays shopper messages into a running `shopassist serve` over its websocket, so the server records a live
session for `shopassist logs export` and replay: `python -m evals.replay.record_session ws://127.0.0.1:8080/ws/chat
"message one" "message two" [--shopper ID]` (the shopper token comes from the dev-only /demo/token endpoint)."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid

import httpx
import websockets


async def play(url: str, messages: list[str], shopper: str | None, timeout_s: float) -> None:
    hello: dict[str, object] = {"type": "hello"}
    if shopper:
        base = url.replace("ws://", "http://").replace("wss://", "https://").rsplit("/ws/", 1)[0]
        hello["token"] = httpx.get(f"{base}/demo/token", params={"shopper_id": shopper}).json()["token"]
    async with websockets.connect(url, max_size=1 << 22) as socket:
        await socket.send(json.dumps(hello))
        for text in messages:
            await socket.send(json.dumps({"type": "message", "text": text, "client_message_id": uuid.uuid4().hex}))
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), timeout_s))
                if frame.get("type") in ("done", "error"):
                    print(f"> {text}\n< {frame.get('text') or frame.get('message')}")
                    break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("messages", nargs="+")
    parser.add_argument("--shopper", default=None)
    parser.add_argument("--timeout", type=float, default=600.0)
    arguments = parser.parse_args()
    asyncio.run(play(arguments.url, arguments.messages, arguments.shopper, arguments.timeout))


if __name__ == "__main__":
    main()
