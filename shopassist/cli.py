"""The `shopassist` command line: one Typer app; each package contributes its subcommands."""

from __future__ import annotations

import typer

from shopassist.settings import SettingsError, get_settings

app = typer.Typer(help="shopassist: conversational shopping assistant.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluation harnesses (retrieval, fidelity, reco, replay, all).", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print figures and write JSON.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")


@app.callback()
def _check_settings() -> None:
    """Stop at start-up with a one-line message when a SHOPASSIST_* value is invalid."""
    try:
        get_settings()
    except SettingsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _register() -> None:
    from commerce.cli import app as data_app
    from evals.bench.cli import bench_llm, bench_rank
    from evals.reco.cli import eval_reco
    from evals.search.cli import bench_search_command, retrieval_command, types_command
    from vectorstore.cli import index_command

    app.add_typer(data_app, name="data")
    app.command("index")(index_command)
    from serving.cli import logs_app, serve

    app.command("serve")(serve)
    app.add_typer(logs_app, name="logs")
    from serving.cluster_cli import cluster_app

    app.add_typer(cluster_app, name="cluster")
    from protocols.ucp.cli import agents_app

    app.add_typer(agents_app, name="agents")
    from protocols.acp.cli import export_app

    app.add_typer(export_app, name="export")
    from agent.cli import ask, chat, llm_app

    app.command("chat")(chat)
    app.command("ask")(ask)
    app.add_typer(llm_app, name="llm")
    eval_app.command("retrieval")(retrieval_command)
    eval_app.command("types")(types_command)
    from evals.tasks.fidelity_cli import fidelity

    eval_app.command("fidelity")(fidelity)
    eval_app.command("reco")(eval_reco)
    from evals import cli as evals_cli

    eval_app.command("replay")(evals_cli.replay)
    eval_app.command("gold")(evals_cli.gold_command)
    eval_app.command("import-logs")(evals_cli.import_logs)
    eval_app.command("tasks")(evals_cli.tasks_command)
    eval_app.command("all")(evals_cli.all_command)
    from evals.fresh.cli import fresh_command

    eval_app.command("fresh")(fresh_command)
    from evals.router.cli import router_command

    eval_app.command("router")(router_command)
    from evals.understanding.cli import understanding_command

    eval_app.command("understanding")(understanding_command)
    bench_app.command("search")(bench_search_command)
    bench_app.command("rank")(bench_rank)
    bench_app.command("llm")(bench_llm)
    from evals.bench.agent import bench_agent

    bench_app.command("agent")(bench_agent)
    from evals.bench.serve import bench_serve

    bench_app.command("serve")(bench_serve)
    from evals.bench.mcp import bench_mcp

    bench_app.command("mcp")(bench_mcp)
    from evals.bench.ucp import bench_ucp

    bench_app.command("ucp")(bench_ucp)
    from evals.bench.watches import bench_watches

    bench_app.command("watches")(bench_watches)
    from evals.bench.price_history import bench_price_history

    bench_app.command("price-history")(bench_price_history)
    from commerce.insights_cli import experiments_app, insights_command

    app.command("insights")(insights_command)
    app.add_typer(experiments_app, name="experiments")
    from evals.insights.bench import bench_insights
    from evals.insights.simulate import bench_experiments

    bench_app.command("insights")(bench_insights)
    bench_app.command("experiments")(bench_experiments)


_register()

if __name__ == "__main__":
    app()
