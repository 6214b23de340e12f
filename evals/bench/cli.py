"""`shopassist bench rank` (heavy imports stay inside)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shopassist.settings import get_settings


def bench_rank(
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/bench_rank.json"),
    candidates: Annotated[int, typer.Option(help="Candidates per rerank call")] = 200,
    calls: Annotated[int, typer.Option(help="Rerank calls to time")] = 300,
    events: Annotated[int, typer.Option(help="Events to record for the profile-update throughput")] = 3000,
) -> None:
    """p50/p95 latency to rerank N candidates with a profile; record_event throughput (events/s)."""
    from evals.bench.rank import run

    report = run(get_settings(), candidates, calls, events)
    for name, value in report.items():
        typer.echo(f"{name:40} {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")


def bench_llm(
    flags: Annotated[str, typer.Option(help="Comma-separated flag sets of agent/llama_build.py to build and time")]
    = "portable,avx512,native",
    out: Annotated[Path, typer.Option(help="Where to write the JSON report")] = Path("var/reports/bench_llm.json"),
    prompt_words: Annotated[int, typer.Option(help="Words in the timed prompt (~1.1 tokens each)")] = 450,
    decode_tokens: Annotated[int, typer.Option(help="Tokens to decode")] = 64,
) -> None:
    """Prefill and decode tokens/s of the embedded model per llama.cpp build flag set; a build that crashes on this
    CPU is reported as such (each set is compiled once, ~6 min on 2 cores, into ~/.cache/shopassist/wheels)."""
    from agent.llm import resolve_gguf
    from evals.bench.llm import run

    settings = get_settings()
    report = run(resolve_gguf(settings), [name.strip() for name in flags.split(",") if name.strip()],
                 settings.data_dir / "llama-builds", prompt_words, decode_tokens, settings.llm_threads)
    typer.echo(f"{report['cpu']}, {settings.llm_threads} threads, {report['model']}")
    typer.echo(f"{'flag set':10} {'runs':5} {'prompt':>6} {'prefill tok/s':>14} {'decode tok/s':>13}")
    for build in report["builds"]:  # type: ignore[attr-defined]
        if build["runs"]:
            typer.echo(f"{build['flag_set']:10} {'yes':5} {build['prompt_tokens']:>6} {build['prefill_tok_s']:>14.1f} "
                       f"{build['decode_tok_s']:>13.1f}")
        else:
            typer.echo(f"{build['flag_set']:10} {'no':5} {build['error']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    typer.echo(f"wrote {out}")
