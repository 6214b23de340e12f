"""`shopassist cluster up|down|status`: the scale-out topology on one machine, from packages (no Docker)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from agent.scripted_server import MODEL as SCRIPTED_MODEL
from serving.cluster import (
    BIN,
    Cluster,
    ClusterError,
    chroma_service,
    free_port,
    init_postgres,
    is_alive,
    llm_service,
    postgres_bin,
    postgres_service,
    proxy_service,
    redis_service,
    replica_service,
)
from shopassist.settings import get_settings

cluster_app = typer.Typer(help="Postgres, Redis, Chroma, an LLM server, replicas and nginx as local processes.",
                          no_args_is_help=True)
DB_USER = "shopassist"  # as in docker-compose.yml


def default_root() -> Path:
    return get_settings().data_dir / "cluster"


def replica_env(cluster: Cluster, data_dir: Path, llm_url: str | None = None,
                llm_model: str = SCRIPTED_MODEL) -> dict[str, str]:
    """The compose file's `api` environment, pointed at this cluster's ports (and at `llm_url` when given)."""
    return {
        "SHOPASSIST_DATA_DIR": str(data_dir),
        "SHOPASSIST_DATABASE_URL": f"postgresql+psycopg://{DB_USER}@127.0.0.1:{cluster['postgres'].port}/{DB_USER}",
        "SHOPASSIST_REDIS_URL": f"redis://127.0.0.1:{cluster['redis'].port}/0",
        "SHOPASSIST_CHROMA_HOST": "127.0.0.1",
        "SHOPASSIST_CHROMA_PORT": str(cluster["chroma"].port),
        "SHOPASSIST_LLM_BACKEND": "openai",
        "SHOPASSIST_LLM_BASE_URL": llm_url or f"http://127.0.0.1:{cluster['llm'].port}/v1",
        "SHOPASSIST_LLM_MODEL": llm_model,
        "FORWARDED_ALLOW_IPS": "*",
    }


def bring_up(root: Path, replicas: int = 2, port: int = 8080, tokens_per_s: float = 50.0,
             catalog: Path | None = None, extra_env: dict[str, str] | None = None,
             llm_url: str | None = None, llm_model: str = SCRIPTED_MODEL) -> Cluster:
    """Start every service in dependency order (compose's depends_on) and return the running cluster.

    The shop is the demo shop, or `catalog` (our JSONL format) when given; it is indexed into the Chroma server
    before the replicas start (else every replica would build the index itself on its first search). The LLM is
    the scripted server, or the OpenAI-compatible server at `llm_url` (e.g. vLLM from `shopassist llm serve`)."""
    if (root / "cluster.json").exists():
        raise ClusterError(f"a cluster is already recorded in {root}: `shopassist cluster down` first")
    root.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(root)
    try:
        cluster.start(postgres_service(init_postgres(DB_USER), free_port()))
        bin_dir = postgres_bin()
        assert bin_dir is not None
        subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster["postgres"].port),
                        "-U", DB_USER, DB_USER], check=True, capture_output=True)
        cluster.start(redis_service(free_port()))
        cluster.start(chroma_service(root, free_port()))
        if llm_url is None:
            cluster.start(llm_service(free_port(), tokens_per_s))
        env = {**replica_env(cluster, root / "data", llm_url, llm_model), **(extra_env or {})}
        shop = ["data", "generate"] if catalog is None else ["data", "import", str(catalog), "--format", "jsonl"]
        for command in ([str(BIN / "shopassist"), *shop], [str(BIN / "shopassist"), "index"]):
            done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
            if done.returncode != 0:
                raise ClusterError(f"{' '.join(command[1:])} failed:\n{done.stderr[-2000:]}")
        ports = [free_port() for _ in range(replicas)]
        for number, replica_port in enumerate(ports, start=1):
            cluster.start(replica_service(f"api-{number}", replica_port, env))
        cluster.start(proxy_service(root, port, ports))
    except BaseException:
        cluster.down()
        raise
    return cluster


@cluster_app.command("up")
def up(
    replicas: Annotated[int, typer.Option(min=1, help="shopassist serve replicas")] = 2,
    port: Annotated[int, typer.Option(help="The balancer's port")] = 8080,
    tokens_per_s: Annotated[float, typer.Option(help="The scripted LLM server's token rate")] = 50.0,
    catalog: Annotated[Path | None, typer.Option(help="A JSONL catalog instead of the demo shop")] = None,
    root: Annotated[Path | None, typer.Option(help="Where the cluster lives (default: data_dir/cluster)")] = None,
    llm_url: Annotated[str | None, typer.Option(help="An OpenAI-compatible server's /v1 URL (e.g. vLLM started "
                                                     "by `shopassist llm serve`) instead of the scripted one")] = None,
    llm_model: Annotated[str, typer.Option(help="The model name that server serves (with --llm-url)")] = "",
) -> None:
    """Start a throwaway cluster; it runs until `shopassist cluster down`."""
    try:
        cluster = bring_up(root or default_root(), replicas, port, tokens_per_s, catalog, llm_url=llm_url,
                           llm_model=llm_model or (get_settings().llm_model if llm_url else SCRIPTED_MODEL))
    except ClusterError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    _print(cluster)
    typer.echo(f"shop: http://127.0.0.1:{port}/   logs: {cluster.root / 'logs'}")


@cluster_app.command("status")
def status(root: Annotated[Path | None, typer.Option(help="default: data_dir/cluster")] = None) -> None:
    """Each service's pid, port and whether it runs."""
    _print(Cluster(root or default_root()))


@cluster_app.command("down")
def down(root: Annotated[Path | None, typer.Option(help="default: data_dir/cluster")] = None) -> None:
    """Stop every service of the cluster and delete its data."""
    cluster = Cluster(root or default_root())
    cluster.down()
    typer.echo(f"stopped {len(cluster.state.services)} services")


def _print(cluster: Cluster) -> None:
    for service in cluster.state.services.values():
        running = "running" if is_alive(service.pid) else "stopped"
        typer.echo(f"{service.name:10} pid {service.pid}  port {service.port}  {running}")
