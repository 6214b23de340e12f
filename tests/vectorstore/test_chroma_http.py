"""HttpClient mode: the same index code against a real `chroma run` server started for the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shopassist.settings import load_settings
from tests.vectorstore.helpers import HashingEmbedder
from tests.vectorstore.test_sync import boot
from vectorstore.query import SearchQuery
from vectorstore.service import open_service


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(binary).exists():
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start within 60 s")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_http_client_mode_indexes_searches_and_reloads(chroma_server: int, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "var", env="test", chroma_host="127.0.0.1", chroma_port=chroma_server)
    embedder = HashingEmbedder()
    service = open_service(settings, embedder)
    assert type(service.products.col._client).__name__ != "PersistentClient"
    service.products.upsert_product(boot("h1", "Ridge Hiking Boot", 120, 3, "leather"))
    service.products.upsert_product(boot("h2", "Trail Hiking Boot", 80, 2))
    service.products.update_offer("h2", price=70.0)
    assert not (tmp_path / "var" / "chroma").exists()

    reopened = open_service(settings, embedder)
    assert reopened.products.load_from_collection() == 2
    hits = reopened.products.retrieve(SearchQuery(text="hiking boot", exclude=["leather"]), k=5)
    assert [hit.product_id for hit in hits] == ["h2"] and hits[0].doc.price == 70.0
