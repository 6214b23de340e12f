"""SQLAlchemy tables: the storage schema behind Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProductRow(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(128), default="", index=True)
    category_path: Mapped[list[Any]] = mapped_column(default=list)
    price: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rating: Mapped[float] = mapped_column(Float, default=0.0)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    image_url: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class VariantRow(Base):
    __tablename__ = "variants"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price: Mapped[float] = mapped_column(Float)
    stock: Mapped[int] = mapped_column(Integer, default=0)


class PassageRow(Base):
    __tablename__ = "passages"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")


class ShopperRow(Base):
    __tablename__ = "shoppers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(128))
    last_name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(256), index=True)
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    payment_methods: Mapped[list[Any]] = mapped_column(default=list)
    personalization: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderRow(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    payments: Mapped[list[Any]] = mapped_column(default=list)
    fulfilments: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CartRow(Base):
    __tablename__ = "carts"
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), primary_key=True)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ReviewRow(Base):
    __tablename__ = "reviews"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(64), index=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProfileRow(Base):
    __tablename__ = "profiles"
    shopper_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # True when shopper_id came from a verification in the chat rather than from the shop-signed token.
    verified_in_chat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    state: Mapped[str] = mapped_column(String(16), default="bot", index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "client_message_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    client_message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TurnLeaseRow(Base):
    """A shopper message whose turn is running: the replica that runs it renews `expires_at` until the reply is
    stored (which deletes the row). Expired means that replica died: the message was interrupted."""

    __tablename__ = "turn_leases"
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FeedbackRow(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PendingActionRow(Base):
    __tablename__ = "pending_actions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    tool: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ShippingRateRow(Base):
    """A shipping rate agents can choose at checkout; `country_code` 'default' applies where no country's rate does."""

    __tablename__ = "shipping_rates"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(16), default="default", index=True)
    service_level: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    amount: Mapped[int] = mapped_column(Integer)  # minor units of the shop's currency


class DiscountCodeRow(Base):
    __tablename__ = "discount_codes"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper case: codes are case-insensitive
    kind: Mapped[str] = mapped_column(String(16))  # 'percentage' or 'fixed_amount'
    value: Mapped[int] = mapped_column(Integer)  # percent, or minor units
    title: Mapped[str] = mapped_column(Text)


class CheckoutSessionRow(Base):
    __tablename__ = "checkout_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class IdempotencyRow(Base):
    """A write request's stored response, replayed when the same owner sends the same key and body again."""

    __tablename__ = "idempotency_keys"
    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgentRow(Base):
    """A shopping agent allowed to use the commerce protocols; only the SHA-256 of its API key is kept."""

    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)  # where its order events are POSTed
    # what its ACP order webhooks are signed with (HMAC-SHA256, Merchant-Signature): the platform's shared secret
    webhook_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the one shopper this agent's key acts for (a linked identity): their saved addresses are offered to it
    shopper_id: Mapped[str | None] = mapped_column(ForeignKey("shoppers.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WatchRow(Base):
    """A signed-in shopper's watch on a product (any of its variants) or on one variant: `kind` 'below' a
    `threshold`, 'back_in_stock', or 'any_drop' below `reference_price`. `armed` is False from a trigger until the
    condition stops holding; `fired` counts triggers (each notification's key is the watch and that count)."""

    __tablename__ = "watches"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    product_id: Mapped[str] = mapped_column(String(64), index=True)
    variant_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    reference_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    armed: Mapped[bool] = mapped_column(Boolean, default=True)
    fired: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WatchNotificationRow(Base):
    """One trigger of a watch, queued in the transaction that changed the offer; `delivered_at` is set by whoever
    claims it (a replica holding the shopper's socket, or their next session), `webhook_at` by the webhook sender."""

    __tablename__ = "watch_notifications"
    __table_args__ = (UniqueConstraint("watch_id", "trigger"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    watch_id: Mapped[str] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"))
    trigger: Mapped[int] = mapped_column(Integer)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    variant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    price: Mapped[float] = mapped_column(Float)
    reference_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    webhook_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class PreferenceRow(Base):
    """One stated preference of a signed-in shopper (or of someone they buy for: `recipient` 'wife'): `kind` size,
    colour, material, brand, budget or language; `avoid` marks what they do not want; `category` '' means any."""

    __tablename__ = "preferences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64), default="")
    recipient: Mapped[str] = mapped_column(String(64), default="")
    avoid: Mapped[bool] = mapped_column(Boolean, default=False)
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgentCartRow(Base):
    """A shopping agent's UCP cart: `data` is the priced cart (commerce.agent_carts.AgentCart)."""

    __tablename__ = "agent_carts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OrderEventRow(Base):
    """An order webhook waiting in the outbox, written in the transaction that changed the order. `delivered_at` is
    set once, by the sender whose conditional UPDATE claims the delivered row; `next_at` is when to try again. It
    goes to `url`, or to the webhook_url the agent's UCP profile (`profile_url`) declares for orders."""

    __tablename__ = "order_events"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    protocol: Mapped[str] = mapped_column(String(8), default="ucp", server_default="ucp")  # the shape it is sent in
    kind: Mapped[str] = mapped_column(String(16))  # 'created', 'shipped', 'canceled'
    url: Mapped[str | None] = mapped_column(Text, nullable=True)  # the operator-registered URL, if any
    profile_url: Mapped[str | None] = mapped_column(Text, nullable=True)  # else the agent profile's webhook_url
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class PricePointRow(Base):
    """A product's offer as it changed: its lowest `price` and whether any variant was `in_stock`, from `at` until
    the next point. A raw point (`span_days` 0) is one change; retention folds older points into one per day
    (`span_days` 1) or week (7), keeping the last `price` and the `low`/`high` seen in that span."""

    __tablename__ = "price_points"
    __table_args__ = (Index("ix_price_points_product_at", "product_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    price: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    in_stock: Mapped[bool] = mapped_column(Boolean)
    span_days: Mapped[int] = mapped_column(Integer, default=0)


class AttributionEventRow(Base):
    """One thing the assistant did for the shop or the shopper did with it (commerce.events.EventKind): a card shown
    at `position` (`reason` why), a click, an add-to-cart, a checkout started or completed (`value` its total), a
    handoff, a thumbs rating, an experiment exposure, a search (`term`) or an unmet demand (`detail` its kind,
    `term` normalized, `text` the shopper's words). Tied to conversation, pseudonymous shopper, language, act and
    experiment variant; forget-me deletes a shopper's."""

    __tablename__ = "attribution_events"
    __table_args__ = (Index("ix_attribution_events_day_kind", "day", "kind"),
                      Index("ix_attribution_events_kind_term", "kind", "term"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(24))
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    shopper_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    language: Mapped[str] = mapped_column(String(8), default="")
    act: Mapped[str] = mapped_column(String(32), default="")
    variant: Mapped[str] = mapped_column(String(160), default="")
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    term: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text, default="")


class InsightRollupRow(Base):
    """Attribution events pre-aggregated by day: per `dimension` ('all', 'language', 'act', 'variant') and its
    `key`, per event kind, the events, distinct conversations and summed value. No shopper data; `through_id` is
    the last event id folded in."""

    __tablename__ = "insight_rollup"
    __table_args__ = (UniqueConstraint("day", "dimension", "key", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    dimension: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(24))
    events: Mapped[int] = mapped_column(Integer)
    conversations: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    through_id: Mapped[int] = mapped_column(Integer)


class ExperimentRow(Base):
    """An A/B experiment: `variants` [{name, weight, settings}] assigned by a hash of the shopper or session
    (`unit`), `holdout` the share kept on the default settings and out of the analysis; running until stopped."""

    __tablename__ = "experiments"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    holdout: Mapped[float] = mapped_column(Float)
    variants: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PromotionRow(Base):
    """An automatic promotion: `kind` 'free_shipping' when the goods' total reaches `min_subtotal` (minor units) or
    the checkout holds one of `item_ids` (product or variant ids)."""

    __tablename__ = "promotions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    min_subtotal: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(256))


class SavedAddressRow(Base):
    """One of a shopper's saved shipping addresses (commerce.checkout_models.Destination fields), in their order."""

    __tablename__ = "shopper_addresses"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    address: Mapped[dict[str, Any]] = mapped_column(JSON)


class StandingOrderRow(Base):
    """A signed-in shopper's consent to buy `quantity` of one variant once its price drops under `target`: each
    order at most `ceiling` with shipping, all of them at most `spend_cap`, shipped to `address` (a checkout
    destination) and paid through `payment_handler` with its opaque `payment_token` (no card data). Armed and
    fired as a 'below' watch is; `status` 'active', 'done' (the cap is spent), 'cancelled' or 'expired'."""

    __tablename__ = "standing_orders"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    product_id: Mapped[str] = mapped_column(String(64), index=True)
    variant_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    target: Mapped[float] = mapped_column(Float)
    ceiling: Mapped[float] = mapped_column(Float)
    spend_cap: Mapped[float] = mapped_column(Float)
    spent: Mapped[float] = mapped_column(Float, default=0.0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payment_handler: Mapped[str] = mapped_column(String(64))
    payment_token: Mapped[str] = mapped_column(String(255))
    armed: Mapped[bool] = mapped_column(Boolean, default=True)
    fired: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class StandingOrderRunRow(Base):
    """One trigger of a standing order, queued 'due' in the transaction that changed the offer and run once
    (claimed by a conditional UPDATE): 'placed' with its `order_id`, or 'failed' with a `reason` and nothing done.
    `delivered_at`/`claim` as the watch notifications': the shopper is told on their socket or next visit."""

    __tablename__ = "standing_order_runs"
    __table_args__ = (UniqueConstraint("standing_order_id", "trigger"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    standing_order_id: Mapped[str] = mapped_column(ForeignKey("standing_orders.id", ondelete="CASCADE"))
    trigger: Mapped[int] = mapped_column(Integer)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    price: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(32), default="")
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ran_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)


class RecurringOrderRow(Base):
    """A signed-in shopper's order repeated every `every_days` (`lines`: item ids and quantities), made at each
    period's prices through the checkout core to the saved `address` with the saved `payment_token`. `period` is
    the next period to make; a replica claims it by moving `period` and `next_at` on in a conditional UPDATE."""

    __tablename__ = "recurring_orders"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shopper_id: Mapped[str] = mapped_column(String(64), index=True)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    title: Mapped[str] = mapped_column(Text)
    every_days: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer, default=1)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payment_handler: Mapped[str] = mapped_column(String(64))
    payment_token: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    last_order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_reason: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
