"""`/checkout/{token}`: the checkout page over the checkout core (address, delivery, discount, mock payment, order
confirmation) for the chat's cart links and for agents' sessions held for their buyer (UCP continue_url), or a
hand-over to the shop's own checkout when no payment handler is on.

Plain server-rendered forms: the signed token in the URL is the only credential, and Jinja escapes
every value.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, ValidationError

from commerce import checkout as core
from commerce.checkout_models import Checkout, CheckoutInput, CheckoutStatus, Destination, LineRequest
from commerce.db import Database
from commerce.payments import MockTokenHandler
from commerce.store import get_order
from serving.chat_checkout import (
    AddressForm,
    PayForm,
    Refused,
    made_by_agent,
    open_checkout,
    owner_of,
    pay,
    payment_handlers,
    read_checkout,
    session_of_cart_link,
    unavailable_lines,
    update_checkout,
)
from serving.checkout_text import ORDER_STATUS, TEXT, Language, language_of
from serving.console import services_of
from shopassist.settings import Settings
from tools.base import ToolFailure
from tools.cart import read_checkout_token

PAGES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(),
                    undefined=StrictUndefined)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# Refusals and the core's errors: the page's word for each and its HTTP status.
REFUSALS = {"bad_link": 400, "not_found": 404, "no_payments": 404, "closed": 410, "nothing_available": 409,
            "out_of_stock_now": 409, "payment_failed": 402, "not_ready": 409, "bad_form": 400}
CORE_ERRORS = {"not_found": "not_found", "out_of_stock": "out_of_stock_now", "payment_failed": "payment_failed",
               "item_unavailable": "nothing_available", "invalid_transition": "closed"}

router = APIRouter()


def _money(amount: int, currency: str) -> str:
    return f"{'−' if amount < 0 else ''}{abs(amount) / 100:,.2f} {currency}"


def _lines(checkout: Checkout) -> dict[str, Any]:
    """The priced lines and totals as the page shows them, with the lines the shop cannot sell now marked."""
    asked = checkout.request.lines
    short = {asked[index].item_id for index in unavailable_lines(checkout)}
    money = checkout.currency
    lines = [{"title": line.title, "options": ", ".join(line.options.values()), "quantity": line.quantity,
              "amount": _money(line.subtotal, money), "unavailable": line.item_id in short}
             for line in checkout.lines]
    totals = checkout.totals
    rows = [("subtotal", totals.subtotal, True)]
    rows += [("discount", -totals.discount, totals.discount > 0),
             ("shipping", totals.fulfillment, checkout.request.shipping_option_id is not None),
             ("total", totals.total, True)]
    return {"lines": lines, "unavailable": bool(short),
            "not_sold": any(problem.code == "not_found" for problem in checkout.problems),
            "totals": [{"role": role, "amount": _money(amount, money), "last": role == "total"}
                       for role, amount, shown in rows if shown]}


@dataclass(frozen=True)
class Notice:
    """A message above the page: its word in TEXT, what fills it in, and whether it is good news."""

    key: str
    args: dict[str, str] = field(default_factory=dict)
    ok: bool = False


def _page(name: str, language: Language, token: str, status_code: int = 200, notice: Notice | None = None,
          **values: Any) -> HTMLResponse:
    t = TEXT[language]
    for row in values.get("totals", []):
        row["label"] = t[row["role"]]
    switch = f"/checkout/{token}?lang={t['other_lang']}" if token else None
    html = PAGES.get_template(name).render(t=t, notice=t[notice.key].format(**notice.args) if notice else None,
                                           notice_ok=notice is not None and notice.ok, switch_url=switch, token=token,
                                           **values)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def _refusal(code: str, language: Language) -> HTMLResponse:
    return _page("checkout_message.html", language, "", REFUSALS[code], notice=Notice(code))


def _session_page(checkout: Checkout, token: str, language: Language, notice: Notice | None = None,
                  status_code: int = 200) -> HTMLResponse:
    destination = checkout.request.destination
    ready = core.payable_by_buyer(checkout)  # an agent's session held for its buyer: paying here is their part
    notice = notice or (Notice("agent_review", ok=True) if made_by_agent(checkout) else None)
    query = f"?lang={language}"
    options = [{"id": option.id, "title": option.title, "amount": _money(option.amount, checkout.currency),
                "chosen": option.id == checkout.request.shipping_option_id} for option in checkout.shipping_options]
    pay_label = TEXT[language]["pay"].format(total=_money(checkout.totals.total, checkout.currency))
    return _page("checkout_session.html", language, token, status_code, notice, checkout_id=checkout.id,
                 address=(destination or Destination()).model_dump(), options=options,
                 applied_codes=[f"{item.code}: {item.title} (−{_money(item.amount, checkout.currency)})"
                                for item in checkout.discounts],
                 update_url=f"/checkout/{token}/update{query}",
                 pay_url=f"/checkout/{token}/pay{query}" if ready else None,
                 payment_token=sorted(MockTokenHandler().approved_tokens)[0], pay_label=pay_label,
                 **_lines(checkout))


def _confirmation(db: Database, checkout: Checkout, token: str, language: Language) -> HTMLResponse:
    assert checkout.order_id is not None  # a completed session has its order
    with db.session() as session:
        order = get_order(session, checkout.order_id)
    status = order.status if order is not None else "pending"
    address = order.address if order is not None else None
    ship_to = ", ".join(part for part in (address.address1, address.city, address.state, address.zip,
                                          address.country) if part) if address else ""
    return _page("checkout_done.html", language, token, order_id=checkout.order_id,
                 status=ORDER_STATUS[language].get(status, status), ship_to=ship_to,
                 paid=_money(checkout.totals.total, checkout.currency), **_lines(checkout))


def _shown(db: Database, checkout: Checkout, token: str, language: Language, notice: Notice | None = None,
           status_code: int = 200) -> HTMLResponse:
    if checkout.status == CheckoutStatus.COMPLETED:
        return _confirmation(db, checkout, token, language)
    if checkout.status == CheckoutStatus.CANCELED:
        return _refusal("closed", language)
    return _session_page(checkout, token, language, notice, status_code)


def _handover(db: Database, settings: Settings, token: str, language: Language) -> HTMLResponse:
    """No payment handler: the cart priced now (nothing stored) and the shop's own checkout, if it has one."""
    try:
        cart = read_checkout_token(settings, token)
    except ToolFailure:
        return _refusal("bad_link", language)
    request = CheckoutInput(lines=[LineRequest(item_id=line.item_id, quantity=line.quantity) for line in cart.lines])
    with db.session() as session:
        priced = core.evaluate(session, "preview", owner_of(cart.shopper_id), settings.shop_currency, request)
    return _page("checkout_handover.html", language, token, shop_checkout_url=settings.shop_checkout_url,
                 **_lines(priced))


def _language(request: Request) -> Language:
    return language_of(request.query_params.get("lang"), request.headers.get("accept-language", ""))


async def _form(request: Request, model: type[BaseModel]) -> Any:
    fields = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    return model.model_validate({key: value for key, value in fields.items() if key in model.model_fields})


def _failed(error: Exception, language: Language) -> HTMLResponse:
    if isinstance(error, Refused):
        return _refusal(error.code, language)
    assert isinstance(error, core.CheckoutError)
    return _refusal(CORE_ERRORS.get(error.code, "closed"), language)


@router.get("/checkout/{token}", response_class=HTMLResponse, include_in_schema=False)
async def checkout_page(token: str, request: Request) -> Response:
    """A forged or expired link gets a 400 page; prices and stock are read now, not from the link."""
    services, language = services_of(request), _language(request)
    db, settings = services.db, services.settings
    if not payment_handlers(settings):
        return await asyncio.to_thread(_handover, db, settings, token, language)
    try:
        cart_session = await asyncio.to_thread(session_of_cart_link, db, settings, token)
        if cart_session is not None:
            return RedirectResponse(f"{cart_session}?lang={language}", status_code=303, headers=HEADERS)
        checkout = await asyncio.to_thread(open_checkout, db, settings, token)
    except (Refused, core.CheckoutError) as error:
        return _failed(error, language)
    return await asyncio.to_thread(_shown, db, checkout, token, language)


@router.post("/checkout/{token}/update", response_class=HTMLResponse, include_in_schema=False)
async def checkout_update(token: str, request: Request) -> Response:
    services, language = services_of(request), _language(request)
    try:
        form = await _form(request, AddressForm)
        checkout, bad_code = await asyncio.to_thread(update_checkout, services.db, services.settings, token, form)
    except ValidationError:
        return _refusal("bad_form", language)
    except (Refused, core.CheckoutError) as error:
        return _failed(error, language)
    notice = Notice("bad_code", {"code": form.code}) if bad_code else Notice("code_applied", ok=True) if form.code \
        else None
    return await asyncio.to_thread(_shown, services.db, checkout, token, language, notice)


@router.post("/checkout/{token}/pay", response_class=HTMLResponse, include_in_schema=False)
async def checkout_pay(token: str, request: Request) -> Response:
    """Paid (now or before): see the order. Out of stock, declined or not ready: the page again, nothing charged."""
    services, language = services_of(request), _language(request)
    db, settings = services.db, services.settings
    try:
        form = await _form(request, PayForm)
        checkout, changed = await asyncio.to_thread(pay, db, settings, token, form)
    except ValidationError:
        return _refusal("bad_form", language)
    except (core.NotReady, core.OutOfStock, core.PaymentFailed) as error:
        key = {"out_of_stock": "out_of_stock_now", "payment_failed": "payment_failed"}.get(error.code, "not_ready")
        checkout = await asyncio.to_thread(read_checkout, db, settings, token, form.checkout_id)
        return await asyncio.to_thread(_shown, db, checkout, token, language, Notice(key), REFUSALS[key])
    except (Refused, core.CheckoutError) as error:
        return _failed(error, language)
    if changed:
        bad_code = form.code and form.code not in checkout.request.discount_codes
        notice = Notice("bad_code", {"code": form.code}) if bad_code else Notice("review")
        return await asyncio.to_thread(_shown, db, checkout, token, language, notice, 409)
    return RedirectResponse(f"/checkout/{token}?lang={language}", status_code=303, headers=HEADERS)
