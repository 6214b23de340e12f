"""The Python balancer (cluster without nginx): round robin over replicas, skipping one that is down."""

from __future__ import annotations

import asyncio
import socket

from serving.proxy import RoundRobin


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _replica(name: bytes) -> tuple[asyncio.Server, int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readline()
        writer.write(name + b":" + request)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _ask(port: int, line: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(line)
    await writer.drain()
    reply = await reader.read()
    writer.close()
    return reply


def test_connections_alternate_between_live_replicas_and_skip_a_dead_one() -> None:
    async def scenario() -> tuple[list[bytes], bytes]:
        (one, one_port), (two, two_port) = await _replica(b"one"), await _replica(b"two")
        balancer = RoundRobin([one_port, _closed_port(), two_port])
        proxy = await asyncio.start_server(balancer.handle, "127.0.0.1", 0)
        port = proxy.sockets[0].getsockname()[1]
        replies = [await _ask(port, f"GET /{index}\n".encode()) for index in range(4)]
        for server in (one, two):
            server.close()
        none_left = await _ask(port, b"GET /\n")
        proxy.close()
        return replies, none_left

    replies, none_left = asyncio.run(scenario())
    assert sorted(reply.split(b":")[0] for reply in replies) == [b"one", b"one", b"two", b"two"]
    assert all(reply.endswith(f"GET /{index}\n".encode()) for index, reply in enumerate(replies))
    assert none_left.startswith(b"HTTP/1.1 502")
