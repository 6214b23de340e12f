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
from commerce.demo.shop import generate_shop, write_shop
from commerce.importers.ucp_shop import import_ucp_shop
from serving.app import create_app
from tests.checkout_shop import HOODIE, OUT_OF_STOCK, seed_checkout_shop
from tests.protocols.conftest import settings_for
from tests.servers import free_port
from tests.serving.fakes import ScriptedRunner
from tests.serving.live import live_server
from tests.shared_data import SHARED_DATA
from tests.vectorstore.helpers import HashingEmbedder
from tools.deps import Deps
from vectorstore.service import build_from_database, open_service

INSTALLED = importlib.util.find_spec("spck_conformance") is not None


def _payment(token: str) -> dict[str, Any]:
    return {"payment": {"instruments": [{"id": f"instr_{token}", "handler_id": "mock_payment_handler", "type": "card",
                                         "display": {"brand": "Visa", "last_digits": "1234"},
                                         "credential": {"type": "token", "token": token}}]}}


FLOWER_SHOP = SHARED_DATA / "ucp_flower_shop"
FLOWER_MERCHANT = {
    "product_id": "bouquet_roses", "currency": "USD", "out_of_stock_id": "gardenias",
    "fulfillment_option_id": "std-ship",
    "complete_payment": _payment("success_token"), "fail_payment": _payment("fail_token"),
    "discount": {"valid_code": "10OFF", "second_valid_code": "FIXED500", "invalid_code": "NOT_A_REAL_CODE",
                 "case_insensitive": True, "rejected_messages": True},
    "catalog": {"variant_id": "bouquet_roses", "max_batch": 100},
    "cart": {"second_product_id": "pot_ceramic"},
    "webhooks": {"simulate": True, "signed": True, "retries": True},
}
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


def conformance(tmp_path: Path, database: Database, merchant: dict[str, Any], shop: str) -> dict[str, Any]:
    """The runner against a live server over `database`; its report, with the figures printed."""
    port = free_port()
    # the runner reaches the API over local http; buyers open checkout pages on the shop's https storefront
    settings = settings_for(tmp_path, public_base_url=f"http://127.0.0.1:{port}", ucp_keyless_agents=True,
                            ucp_simulation_secret="conformance", checkout_base_url="https://shop.example")
    search = open_service(settings, HashingEmbedder())
    build_from_database(search, database)
    app = create_app(settings, database, ScriptedRunner(), Deps(database, settings, search=search))
    config = tmp_path / "merchant.json"
    config.write_text(json.dumps(merchant))
    with live_server(app, port) as url:
        run = subprocess.run([sys.executable, "-m", "spck_conformance.cli", "--server", url, "--config", str(config),
                              "--json"],
                             capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    print(f"spck-conformance ({shop}):", json.dumps({"verdict": report["verdict"],
                                                     "checks": report["checks_summary"]}))
    deviations = [check["id"] for check in report["checks"] if check["status"] == "deviation"]
    assert report["verdict"]["deviations"] == 0 and not deviations, deviations
    assert run.returncode == 0, run.stderr
    return report


@pytest.mark.skipif(not INSTALLED, reason="spck-conformance is not installed (pip install -e '.[dev]')")
def test_ucp_merchant_conformance_has_no_must_deviation(tmp_path: Path, database: Database) -> None:
    seed_checkout_shop(database)
    report = conformance(tmp_path, database, MERCHANT, "checkout test shop")
    assert report["checks_summary"]["clean"] >= 90, report["checks_summary"]


@pytest.mark.skipif(not INSTALLED, reason="spck-conformance is not installed (pip install -e '.[dev]')")
@pytest.mark.skipif(not FLOWER_SHOP.is_dir(), reason="UCP flower shop data not present")
def test_the_official_suites_flower_shop_has_no_must_deviation(tmp_path: Path, database: Database) -> None:
    with database.session() as session:
        import_ucp_shop(session, FLOWER_SHOP)
    report = conformance(tmp_path, database, FLOWER_MERCHANT, "flower shop fixture")
    assert report["checks_summary"]["clean"] >= 80, report["checks_summary"]


@pytest.mark.skipif(not INSTALLED, reason="spck-conformance is not installed (pip install -e '.[dev]')")
def test_the_bundled_demo_shop_has_no_must_deviation(tmp_path: Path, database: Database) -> None:
    """The shop `make run` serves (its images are paths, its rates and codes commerce.demo.terms)."""
    shop = generate_shop(7)
    with database.session() as session:
        write_shop(session, shop)
    single = next(p for p in shop.products if len(p.variants) == 1 and p.variants[0].stock > 10)
    other = next(p for p in shop.products if len(p.variants) == 1 and p.variants[0].stock > 10 and p.id != single.id)
    sold_out = next(p for p in shop.products if all(variant.stock == 0 for variant in p.variants))
    options = next(p for p in shop.products if len(p.variants) > 1 and all(v.options for v in p.variants))
    merchant = {"product_id": single.variants[0].id, "currency": "USD", "out_of_stock_id": sold_out.variants[0].id,
                "fulfillment_option_id": "std-ship",
                "complete_payment": _payment("success_token"), "fail_payment": _payment("fail_token"),
                "discount": {"valid_code": "WELCOME10", "invalid_code": "NOT_A_REAL_CODE", "case_insensitive": True,
                             "rejected_messages": True},
                "webhooks": {"simulate": True, "signed": True, "retries": True},
                "catalog": {"variant_id": single.variants[0].id, "max_batch": 100,
                            "configurable_product_id": options.id},
                "cart": {"second_product_id": other.variants[0].id}}
    report = conformance(tmp_path, database, merchant, "demo shop")
    assert report["checks_summary"]["clean"] >= 80, report["checks_summary"]
