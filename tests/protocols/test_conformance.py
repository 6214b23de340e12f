"""The spck-conformance UCP merchant runner against a live server over the checkout test shop: no MUST deviation."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from commerce.db import Database
from serving.app import create_app
from tests.checkout_shop import HOODIE, OUT_OF_STOCK, seed_checkout_shop
from tests.protocols.conftest import settings_for
from tests.servers import free_port
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server
from tests.vectorstore.helpers import HashingEmbedder
from tools.deps import Deps
from vectorstore.service import build_from_database, open_service

INSTALLED = importlib.util.find_spec("spck_conformance") is not None


def _payment(token: str) -> dict[str, Any]:
    return {"payment": {"instruments": [{"id": f"instr_{token}", "handler_id": "mock_payment_handler", "type": "card",
                                         "display": {"brand": "Visa", "last_digits": "1234"},
                                         "credential": {"type": "token", "token": token}}]}}


MERCHANT = {
    "product_id": "roses_12", "currency": "USD", "out_of_stock_id": OUT_OF_STOCK, "fulfillment_option_id": "std-ship",
    "complete_payment": _payment("success_token"), "fail_payment": _payment("fail_token"),
    "payment": {"escalation_payment": _payment("escalate_token")},  # a 3-D Secure challenge: the buyer confirms
    "discount": {"valid_code": "10OFF", "second_valid_code": "FIXED500", "invalid_code": "NOT_A_REAL_CODE",
                 "case_insensitive": True, "rejected_messages": True},
    "catalog": {"variant_id": "roses_12", "max_batch": 100, "configurable_product_id": HOODIE.id},
    "cart": {"second_product_id": "pot_m"},
    # the runner is the agent platform: its profile names its receiver as the order webhook_url
    "webhooks": {"simulate": True, "signed": True, "retries": True},
}


@pytest.mark.skipif(not INSTALLED, reason="spck-conformance is not installed (pip install -e '.[dev]')")
def test_ucp_merchant_conformance_has_no_must_deviation(tmp_path: Path, database: Database) -> None:
    seed_checkout_shop(database)
    port = free_port()
    # the runner reaches the API over local http; buyers open checkout pages on the shop's https storefront
    settings = settings_for(tmp_path, public_base_url=f"http://127.0.0.1:{port}", ucp_keyless_agents=True,
                            ucp_simulation_secret="conformance", checkout_base_url="https://shop.example")
    search = open_service(settings, HashingEmbedder())
    build_from_database(search, database)
    app = create_app(settings, database, ScriptedRunner(), Deps(database, settings, search=search))
    config = tmp_path / "merchant.json"
    config.write_text(json.dumps(MERCHANT))
    with live_server(app, port) as url:
        run = subprocess.run([sys.executable, "-m", "spck_conformance.cli", "--server", url, "--config", str(config),
                              "--json"],
                             capture_output=True, text=True, timeout=120)
    report = json.loads(run.stdout)
    print("spck-conformance:", json.dumps({"verdict": report["verdict"], "checks": report["checks_summary"]}))
    deviations = [check["id"] for check in report["checks"] if check["status"] == "deviation"]
    assert report["verdict"]["deviations"] == 0 and not deviations, deviations
    assert run.returncode == 0, run.stderr
    assert report["checks_summary"]["clean"] >= 90, report["checks_summary"]
