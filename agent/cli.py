"""`shopassist chat`, `ask`, `llm export` and `llm serve`: the agent from a terminal or a script, vLLM."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import uuid
from pathlib import Path
from typing import Annotated

import typer

from agent.events import AgentEvent
from agent.model_files import ensure_model_file, known_model
from agent.state import HistoryMessage, TurnRequest
from agent.turn_facts import searched_words
from shopassist.settings import Settings, get_settings

llm_app = typer.Typer(help="LLM backends: start a vLLM server for the 'openai' backend.", no_args_is_help=True)


def _runner(settings: Settings):  # type: ignore[no-untyped-def]
    from agent.llama_probe import NativeLibraryError
    from agent.llm import LLMConfigError, check_embedded_model
    from agent.runner import build_runner
    from commerce.db import Database

    try:
        check_embedded_model(settings)
    except (LLMConfigError, NativeLibraryError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None

    database = Database(settings.sqlalchemy_url)
    database.migrate()
    return build_runner(settings, database)


def _session_file(settings: Settings, session: str) -> Path:
    return settings.data_dir / "ask_sessions" / f"{session.replace('/', '_')}.json"


def _load_history(path: Path) -> list[HistoryMessage]:
    if not path.exists():
        return []
    return [HistoryMessage.model_validate(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def _save_history(path: Path, history: list[HistoryMessage]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([m.model_dump() for m in history], ensure_ascii=False), encoding="utf-8")


def _render(event: AgentEvent) -> None:
    """Human-readable output: streamed text, then cards, citations and actions as short lines."""
    if event.type == "token":
        typer.echo(event.text, nl=False)
    elif event.type == "tool_call":
        status = "ok" if event.ok else "failed"
        typer.secho(f"  [{event.name} {json.dumps(event.arguments, ensure_ascii=False)} {status}]", dim=True, err=True)
    elif event.type == "products":
        for number, card in enumerate(event.products, start=1):
            stock = "" if card.in_stock else " (out of stock)"
            typer.secho(f"  {number}. {card.title} — {card.price:.2f} {card.currency}{stock}", fg="cyan", err=True)
    elif event.type == "citations":
        for citation in event.citations:
            typer.secho(f"  [source: {citation.title} › {citation.section}]", fg="green", err=True)
    elif event.type == "action_required":
        typer.secho(f"  ⚠ needs your confirmation in the app: {event.summary}", fg="yellow", err=True)
    elif event.type == "handoff":
        typer.secho(f"  → handed to a human agent: {event.reason}", fg="yellow", err=True)
    elif event.type == "done":
        typer.echo("")
    elif event.type == "error":
        typer.secho(f"\nerror ({event.code}): {event.message}", fg="red", err=True)


async def _turn(runner, request: TurnRequest, as_json: bool) -> HistoryMessage:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    answer = searched = ""
    dialogue = None
    async for event in runner.stream(request):
        if as_json:
            typer.echo(event.model_dump_json())
        else:
            _render(event)
        if event.type == "tool_call" and event.name == "search_products" and event.ok:
            searched = searched_words(event.arguments)
        if event.type == "products":
            shown += [card.id for card in event.products if card.id not in shown]
        if event.type == "done":
            answer, dialogue = event.text, event.dialogue
    return HistoryMessage(role="assistant", text=answer, product_ids=shown, searched=searched, dialogue=dialogue)


def ask(
    text: Annotated[str, typer.Argument(help="What the shopper says")],
    session: Annotated[str | None, typer.Option("--session", help="Continue this session (kept under var/)")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Shopper id, as a signed-in session would give")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line")] = False,
) -> None:
    """One agent turn from a script; with --session, earlier turns of that session are remembered."""
    settings = get_settings()
    conversation = session or f"ask-{uuid.uuid4().hex[:12]}"
    path = _session_file(settings, conversation)
    history = _load_history(path) if session else []
    request = TurnRequest(text=text, conversation_id=conversation, shopper_id=user, history=history)
    reply = asyncio.run(_turn(_runner(settings), request, as_json))
    if session:
        _save_history(path, [*history, HistoryMessage(role="user", text=text), reply])


def chat(
    user: Annotated[str | None, typer.Option("--user", help="Shopper id, as a signed-in session would give")] = None,
) -> None:
    """Terminal chat with the assistant over the demo shop (embedded model by default); Ctrl-D to leave."""
    settings = get_settings()
    typer.echo(f"Loading the {settings.llm_backend} model… (the first answer also warms the prompt cache)")
    runner = _runner(settings)
    history: list[HistoryMessage] = []
    conversation = f"chat-{uuid.uuid4().hex[:12]}"

    async def loop() -> None:
        while True:
            try:
                text = (await asyncio.to_thread(input, "\nyou › ")).strip()
            except (EOFError, KeyboardInterrupt):
                return
            if not text:
                continue
            typer.echo("shopassist › ", nl=False)
            request = TurnRequest(text=text, conversation_id=conversation, shopper_id=user, history=history)
            reply = await _turn(runner, request, as_json=False)
            history.extend([HistoryMessage(role="user", text=text), reply])

    asyncio.run(loop())


def vllm_command(settings: Settings, model_dir: str, python: str, port: int, max_model_len: int,
                 tool_parser: str | None, enforce_eager: bool, kv_cache_bytes: str | None = None,
                 dtype: str = "auto") -> list[str]:
    command = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", model_dir,
               "--served-model-name", settings.llm_model, "--host", "0.0.0.0", "--port", str(port),
               "--max-model-len", str(max_model_len), "--dtype", dtype]
    if enforce_eager:
        command.append("--enforce-eager")
    if kv_cache_bytes:
        command += ["--kv-cache-memory-bytes", kv_cache_bytes]
    if tool_parser:
        command += ["--enable-auto-tool-choice", "--tool-call-parser", tool_parser]
    return command


@llm_app.command("serve")
def serve(
    model_dir: Annotated[str, typer.Argument(help="Hugging Face model folder (safetensors) or hub-free local path")],
    python: Annotated[str, typer.Option(help="Python of the environment that has vLLM installed")] = "python",
    port: Annotated[int, typer.Option(help="Port; point SHOPASSIST_LLM_BASE_URL at http://HOST:PORT/v1")] = 8001,
    max_model_len: Annotated[int, typer.Option(help="Context length; the agent needs about 6k tokens")] = 8192,
    tool_parser: Annotated[str | None, typer.Option(help="e.g. hermes (Qwen2.5 ≥7B) or llama3_json; not needed: "
                                                         "the agent uses JSON-schema structured outputs")] = None,
    enforce_eager: Annotated[bool, typer.Option(help="No CUDA graphs (needed on CPU builds)")] = True,
    kv_cache_bytes: Annotated[str | None, typer.Option(help="KV-cache size, e.g. 1G; on CPU builds this replaces "
                                                             "reserving 92% of the machine's memory")] = None,
    dtype: Annotated[str, typer.Option(help="Weights' dtype: auto (bf16 for this model), or float32 on CPUs "
                                            "without bf16 instructions (AVX2 only): bf16 crawls there")] = "auto",
    dry_run: Annotated[bool, typer.Option(help="Print the command instead of running it")] = False,
) -> None:
    """Start vLLM's OpenAI-compatible server with the flags the agent needs (structured outputs are built in)."""
    command = vllm_command(get_settings(), model_dir, python, port, max_model_len, tool_parser, enforce_eager,
                           kv_cache_bytes, dtype)
    typer.echo(shlex.join(command), err=True)
    if not dry_run:
        os.execvp(command[0], command)


@llm_app.command("export")
def export(
    python: Annotated[str, typer.Option(help="Python of the vLLM environment (has torch, transformers, gguf)")],
    model: Annotated[str, typer.Option(help="Name (prefix) of a model shipped as PyPI parts; default: the "
                                            "configured one")] = "",
) -> None:
    """Convert a PyPI-shipped GGUF model once into a safetensors folder for `llm serve`; prints the folder."""
    settings = get_settings()
    chosen = known_model(model or settings.llm_model)
    target = settings.model_cache_dir / f"{chosen.name}-hf"
    stamp = target / "source.sha256"
    if not (stamp.exists() and stamp.read_text().strip() == chosen.sha256):
        gguf = ensure_model_file(settings.model_cache_dir, chosen)
        script = Path(__file__).with_name("gguf_export.py")
        typer.echo(f"converting {gguf.name} (about 2 minutes)…", err=True)
        done = subprocess.run([python, str(script), str(gguf), str(target)])
        if done.returncode != 0:
            typer.echo(f"error: conversion failed (exit {done.returncode})", err=True)
            raise typer.Exit(1)
        stamp.write_text(chosen.sha256 + "\n")
    typer.echo(str(target))
