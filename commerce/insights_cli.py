"""`shopassist insights` and `shopassist experiments start|stop|read|list`: the shop's view of the assistant."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from commerce.cli import open_database
from commerce.experiment_stats import ExperimentRead, read_experiment
from commerce.experiments import Experiment, ExperimentError, Variant, get_experiment, list_experiments
from commerce.experiments import start_experiment as start_stored
from commerce.experiments import stop_experiment as stop_stored
from commerce.insights import Insights, insights, unmet_demand_csv
from shopassist.errors import describe_error

experiments_app = typer.Typer(help="A/B experiments on the assistant's per-turn settings.", no_args_is_help=True)


def insights_command(
    days: Annotated[int, typer.Option(min=1, max=3650, help="The last N days, today included")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the unmet demand as CSV to this file")] = None,
) -> None:
    """Conversations, resolution, CTR, carts, orders, revenue; unmet demand and top searches."""
    with open_database().session() as session:
        report = insights(session, days)
    if csv is not None:
        csv.write_text(unmet_demand_csv(report.unmet_demand), encoding="utf-8")
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    _print_insights(report)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_insights(report: Insights) -> None:
    t = report.totals
    typer.echo(f"{report.since} … {report.until} ({report.days} days)")
    typer.echo(f"conversations {t.conversations:,}  turns {t.turns:,}  resolution {_percent(t.resolution_rate)}")
    typer.echo(f"cards shown {t.cards_shown:,}  CTR {_percent(t.ctr)}  add-to-cart {_percent(t.add_to_cart_rate)}")
    aov = "—" if t.average_order_value is None else f"{t.average_order_value:,.2f}"
    typer.echo(f"assisted orders {t.assisted_orders:,}  conversion {_percent(t.conversion_rate)}  "
               f"revenue {t.revenue:,.2f}  AOV {aov}")
    typer.echo("unmet demand (shoppers, count, first seen):")
    for item in report.unmet_demand[:10]:
        example = f"  e.g. “{item.examples[0]}”" if item.examples else ""
        typer.echo(f"  {item.kind:11} {item.term:30} {item.shoppers:>5} {item.count:>6}  {item.first_seen}{example}")
    typer.echo("top searches: " + ", ".join(f"{s.term} ({s.count})" for s in report.top_searches[:10]))


def _variant(spec: str) -> Variant:
    """'advice:agent_answer=advice,agent_advice_sentences=3' or a bare 'control'."""
    name, _, rest = spec.partition(":")
    settings = dict(item.split("=", 1) for item in rest.split(",") if "=" in item)
    return Variant(name=name.strip(), settings={k.strip(): v.strip() for k, v in settings.items()})


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@experiments_app.command("start")
def start_experiment(
    name: Annotated[str, typer.Argument(help="e.g. answer-wording")],
    variant: Annotated[list[str], typer.Option("--variant", help="NAME or NAME:SETTING=VALUE,…; the first is the "
                                               "control, e.g. --variant control --variant advice:agent_answer=advice")],
    holdout: Annotated[float, typer.Option(help="Share kept on the default settings, e.g. 0.1")] = 0.0,
    unit: Annotated[str, typer.Option(help="shopper | session")] = "session",
) -> None:
    """Start assigning shoppers or sessions to the variants (equal shares), now."""
    try:
        experiment = Experiment(name=name, variants=[_variant(spec) for spec in variant], holdout=holdout,
                                unit=unit)  # type: ignore[arg-type]
        with open_database().session() as session:
            start_stored(session, experiment)
    except ValidationError as error:
        raise _fail(describe_error(error, "experiment")) from None
    except ExperimentError as error:
        raise _fail(str(error)) from None
    shares = ", ".join(f"{bucket} {share:.0%}" for bucket, share in experiment.shares().items())
    typer.echo(f"started {name}: {shares}")


@experiments_app.command("stop")
def stop_experiment(name: str) -> None:
    """Stop assigning: turns go back to the default settings; the read keeps events up to now."""
    try:
        with open_database().session() as session:
            stopped = stop_stored(session, name)
    except ExperimentError as error:
        raise _fail(str(error)) from None
    typer.echo(f"stopped {name} at {stopped.stopped_at:%Y-%m-%d %H:%M} UTC")


@experiments_app.command("read")
def read_command(
    name: str, as_json: Annotated[bool, typer.Option("--json", help="Print the read as JSON")] = False,
) -> None:
    """Per-variant CTR, add-to-cart, conversion and revenue per unit with 95% intervals, tests against the control,
    the sample-ratio check and guardrails."""
    try:
        with open_database().session() as session:
            read = read_experiment(session, get_experiment(session, name))
    except ExperimentError as error:
        raise _fail(str(error)) from None
    typer.echo(read.model_dump_json(indent=2) if as_json else _read_text(read))


def _read_text(read: ExperimentRead) -> str:
    lines = [f"{read.name} ({read.status}); sample ratio p={read.srm_p_value:.3g}"
             + ("  MISMATCH: do not trust this read" if read.sample_ratio_mismatch else "")]
    for v in read.variants:
        lines.append(f"  {v.name:12} units {v.units:>6}  CTR {v.ctr.value:.2%} [{v.ctr.low:.2%}, {v.ctr.high:.2%}]  "
                     f"cart {v.add_to_cart_rate.value:.2%}  conv {v.conversion_rate.value:.2%}  "
                     f"rev/unit {v.revenue_per_unit.value:.2f} [{v.revenue_per_unit.low:.2f}, "
                     f"{v.revenue_per_unit.high:.2f}]  latency {v.latency_ms:.0f} ms")
    for c in read.comparisons:
        lift = "—" if c.relative_lift is None else f"{c.relative_lift:+.1%}"
        lines.append(f"  {c.metric:17} {c.variant:12} lift {lift:>7}  p {c.p_value:.3g} (Holm {c.p_adjusted:.3g})"
                     + ("  significant" if c.significant else ""))
    if read.holdout_units:
        lines.append(f"  holdout units {read.holdout_units}")
    lines.append("  guardrails: " + (", ".join(read.guardrails_breached) or "none breached"))
    return "\n".join(lines)


@experiments_app.command("list")
def list_command() -> None:
    with open_database().session() as session:
        found = list_experiments(session)
    for experiment in found:
        names = ", ".join(v.name for v in experiment.variants)
        typer.echo(f"{experiment.name:24} {experiment.status:8} {experiment.unit:8} holdout {experiment.holdout:.0%}"
                   f"  {names}")
    if not found:
        typer.echo("no experiments")
