"""Operator console API for the shop's insights (JSON and CSV) and its A/B experiments (list, start, stop, read)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from commerce.db import Database
from commerce.experiment_stats import ExperimentRead, read_experiment
from commerce.experiments import (
    Experiment,
    ExperimentError,
    Variant,
    get_experiment,
    list_experiments,
    start_experiment,
    stop_experiment,
)
from commerce.insights import Insights, insights, unmet_demand_csv
from serving import conversations as store
from serving.console import Operator

router = APIRouter(prefix="/v1/console", tags=["console"])
pages = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
Days = Annotated[int, Query(ge=1, le=3650, description="The last N days, today included")]


class NewExperiment(BaseModel):
    name: str = Field(description="e.g. 'answer-wording'")
    variants: list[Variant] = Field(min_length=2, description="The first is the control")
    holdout: float = Field(0.0, ge=0, lt=1)
    unit: str = Field("session", description="'shopper' or 'session'")


def _insights(db: Database, days: int) -> Insights:
    with db.session() as session:
        return insights(session, days)


@router.get("/insights")
async def get_insights(services: Operator, days: Days = 7) -> Insights:
    return await store.in_db_thread(services.db, _insights, days)


@router.get("/insights/unmet.csv")
async def unmet_csv(services: Operator, days: Days = 7) -> Response:
    report = await store.in_db_thread(services.db, _insights, days)
    return Response(unmet_demand_csv(report.unmet_demand), media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="unmet-demand-{days}d.csv"'})


def _experiments(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        return [{"experiment": e.model_dump(mode="json"), "read": read_experiment(session, e).model_dump(mode="json")}
                for e in list_experiments(session)]


@router.get("/experiments")
async def experiments(services: Operator) -> list[dict[str, Any]]:
    return await store.in_db_thread(services.db, _experiments)


def _start(db: Database, experiment: Experiment) -> Experiment:
    with db.session() as session:
        return start_experiment(session, experiment)


def _stop(db: Database, name: str) -> Experiment:
    with db.session() as session:
        return stop_experiment(session, name)


def _read(db: Database, name: str) -> ExperimentRead:
    with db.session() as session:
        return read_experiment(session, get_experiment(session, name))


@router.post("/experiments", status_code=201)
async def start(body: NewExperiment, services: Operator) -> Experiment:
    try:
        experiment = Experiment.model_validate(body.model_dump())
        return await store.in_db_thread(services.db, _start, experiment)
    except ExperimentError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    except ValueError as error:  # pydantic's ValidationError is one
        raise HTTPException(status_code=422, detail=str(error)) from None


@router.post("/experiments/{name}/stop")
async def stop(name: str, services: Operator) -> Experiment:
    try:
        return await store.in_db_thread(services.db, _stop, name)
    except ExperimentError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None


@router.get("/experiments/{name}")
async def read(name: str, services: Operator) -> ExperimentRead:
    try:
        return await store.in_db_thread(services.db, _read, name)
    except ExperimentError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None


@pages.get("/console/insights")
async def insights_page() -> FileResponse:
    return FileResponse(STATIC / "insights.html", media_type="text/html")


@pages.get("/console/vendor/chart.umd.min.js")
async def chart_js() -> FileResponse:
    """Chart.js 4.6.1 as npm ships it (serving/static/vendor/README.md): no CDN at run time."""
    return FileResponse(STATIC / "vendor" / "chart.umd.min.js", media_type="application/javascript",
                        headers={"cache-control": "public, max-age=86400"})
