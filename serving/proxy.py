"""A TCP load balancer for `shopassist cluster` where nginx is not installed: round robin over the replicas,
skipping one that refuses the connection. It passes bytes through (HTTP, SSE, websockets alike) and adds no
headers, so the replicas see every client as the proxy's address (per-IP rate limits count all clients together).

    python -m serving.proxy --port 8080 --upstream 8081 --upstream 8082
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Annotated

import typer

CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class RoundRobin:
    def __init__(self, upstreams: list[int]) -> None:
        self.upstreams = upstreams
        self._next = itertools.cycle(range(len(upstreams)))

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The next replica that accepts a connection, or None when none does."""
        start = next(self._next)
        for offset in range(len(self.upstreams)):
            port = self.upstreams[(start + offset) % len(self.upstreams)]
            with contextlib.suppress(OSError):
                return await asyncio.open_connection("127.0.0.1", port)
        return None

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream = await self.connect()
        if upstream is None:
            client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            with contextlib.suppress(Exception):
                await client_writer.drain()
            client_writer.close()
            return
        upstream_reader, upstream_writer = upstream
        await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))


async def serve(port: int, upstreams: list[int]) -> None:
    balancer = RoundRobin(upstreams)
    server = await asyncio.start_server(balancer.handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main(
    port: Annotated[int, typer.Option(help="Port to listen on (127.0.0.1)")],
    upstream: Annotated[list[int], typer.Option(help="A replica's port; repeat for each")],
) -> None:
    asyncio.run(serve(port, upstream))


if __name__ == "__main__":
    typer.run(main)
