"""The one settings object, read from SHOPASSIST_* environment variables and an optional .env file."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-change-me"
DEV_OPERATOR_TOKEN = "operator-dev-token"
# ../shared beside the repository: the data sets (τ-bench retail, ESCI, ABCD) every checkout shares.
DEFAULT_SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPASSIST_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(Path("var"), description="Where the database, indexes and model cache live")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite under data_dir")
    models_dir: Path | None = Field(None, description="Model files and embedding cache; empty means data_dir/models")
    shared_dir: Path = Field(DEFAULT_SHARED_DIR, description="Shared data sets under data/ (tau_retail, esci_subset, "
                             "abcd); by default ../shared beside the repository")
    chroma_host: str = ""
    chroma_port: int = Field(8000, ge=1, le=65535)
    redis_url: str = ""
    secret: SecretStr = SecretStr(DEV_SECRET)
    operator_token: SecretStr = SecretStr(DEV_OPERATOR_TOKEN)
    allowed_origins: list[str] = ["*"]

    llm_backend: Literal["embedded", "openai", "scripted"] = "embedded"
    llm_base_url: str = "http://localhost:8001/v1"
    llm_model: str = "qwen2.5-coder-1.5b-instruct"
    llm_api_key: SecretStr = SecretStr("EMPTY")
    llm_threads: int = Field(2, ge=1, le=256)
    llm_context: int = Field(8192, ge=512)
    llm_timeout_s: float = Field(120.0, gt=0)
    llm_native_build: Path | None = Field(
        None, description="A folder with another llama-cpp-python build (`python agent/llama_build.py install "
        "--flags avx512 --target DIR`); used only after its probe passes on this CPU, else the installed build is")
    agent_max_steps: int = Field(4, ge=1, le=20)
    # Seconds the LLM planner has for one step; what it cannot plan in time gets the closest read-only plan or a
    # question. None: 0.8 s for the embedded model (on 2 cores it finished no plan within 3 s: `bench agent`), 3 s
    # for a served one.
    agent_plan_budget_s: float | None = Field(None, gt=0)
    # auto: rules and the intent classifier plan routine requests, the LLM plans the rest; llm: the LLM plans every
    # turn; router: the LLM never plans (unsure requests get a clarifying question).
    agent_planner: Literal["auto", "llm", "router"] = "auto"
    # facts: the answer is only what code renders from tool results; advice: plus at most `agent_advice_sentences`
    # sentences from the model, each checked before it is sent; model: the model writes the answer, sentence by
    # sentence under the same check. auto: facts for the embedded model (each token costs ~150 ms on 2 cores),
    # advice for a served model.
    agent_answer: Literal["auto", "facts", "advice", "model"] = "auto"
    agent_advice_sentences: int = Field(2, ge=1, le=6)
    # Only for the 'scripted' backend (benchmarks and serving tests): canned tokens streamed at this rate.
    scripted_tokens_per_s: float = Field(50.0, gt=0)

    demo_seed: int = 7
    shop_currency: str = Field("USD", min_length=3, max_length=3, description="ISO code the catalog is priced in")
    # An example rate, not a live one: each shop sets its own (e.g. SHOPASSIST_CURRENCY_RATES='{"CNY": 0.14}').
    currency_rates: dict[str, PositiveFloat] = Field(
        default_factory=lambda: {"CNY": 0.14},
        description="Shop-currency units one unit of another currency is worth; prices in others are not filtered",
    )
    profile_half_life_days: float = Field(30.0, gt=0, description="Half-life of behaviour in shopper profiles")
    host: str = "127.0.0.1"
    allow_public_bind: bool = Field(False, description="Outside production the server binds only to loopback (its "
                                    "development secret, operator token and /demo/token must not face a network); "
                                    "true allows another host anyway")
    port: int = Field(8080, ge=1, le=65535)
    public_base_url: str = Field("http://127.0.0.1:8080", description="Where shoppers and agents reach this "
                                 "server, e.g. https://assistant.example; links sent to shoppers (checkout) and the "
                                 "UCP profile's endpoints start with it; unset: http://HOST:PORT as bound")
    checkout_base_url: str = Field("", description="Where buyers open checkout pages (the chat's checkout links, "
                                   "agents' continue_url) when not public_base_url, e.g. the storefront's https "
                                   "domain that proxies /checkout/ here")
    shop_checkout_url: str = Field("", description="The shop's own checkout page; without a payment handler (mock "
                                   "payments off) /checkout/{token} hands the cart over to it with the signed token "
                                   "as ?cart=...; empty: no hand-over button")
    max_frame_bytes: int = Field(16_384, ge=256)
    messages_per_minute: int = Field(20, ge=1)
    messages_per_minute_per_ip: int = Field(120, ge=1)
    events_per_minute: int = Field(120, ge=1, description="Behaviour `event` frames recorded per session per minute")
    max_concurrent_streams: int = Field(64, ge=1)
    confirmation_ttl_s: int = Field(300, ge=10)
    identity_ttl_s: int = Field(3600, ge=10, description="How long a shop-signed shopper token stays valid")
    turn_timeout_s: float = Field(180.0, gt=0, description="A whole turn (LLM + tools) is cut off after this")
    turn_lease_s: float = Field(10.0, gt=0, description="A replica that stops renewing a running turn's lease "
                                "for this long is taken for dead: its turn is reported interrupted")
    stream_frame_ms: float = Field(40.0, ge=0, description="Streamed tokens are coalesced into one frame per this")
    max_message_chars: int = Field(2000, ge=1)
    watch_ttl_days: int = Field(90, ge=1, description="A price or stock watch expires this many days after it is made")
    standing_order_cancel_minutes: int = Field(30, ge=0, description="The cancel window an automatic order's "
                                               "notice states; the order is pending, cancellable, meanwhile")
    notification_poll_s: float = Field(0.25, gt=0, description="How often a replica looks for watch notifications "
                                       "to push to the shoppers connected to it")
    notification_webhook_url: str = Field("", description="POSTed each watch notification as JSON (the shop's own "
                                          "channel: email, app push); empty: none")
    ucp_max_body_bytes: int = Field(65_536, ge=1024, description="Largest UCP request body accepted (413 above)")
    agent_requests_per_minute: int = Field(600, ge=1, description="UCP and ACP requests (REST and MCP) one agent "
                                           "may make per minute; shared by the replicas through Redis (429 above)")
    ucp_mock_payments: bool | None = Field(None, description="Offer the mock token payment handler to UCP agents "
                                           "('success_token' pays, any other token is declined); empty: outside "
                                           "production only; true is refused in production")
    ucp_keyless_agents: bool = Field(False, description="Let UCP agents without an API key check out (conformance "
                                     "runners send none): each is known by its UCP-Agent profile and sees only "
                                     "that profile's sessions; refused in production")
    ucp_simulation_secret: SecretStr | None = Field(None, description="Set only for conformance runs: enables "
                                                    "POST /testing/simulate-shipping/{order_id} behind this secret")
    agent_review_above: float | None = Field(None, gt=0, description="An agent's checkout whose total is above this "
                                             "(shop currency, e.g. 500.00) needs the buyer to review and pay it on "
                                             "the shop's checkout page: UCP/ACP requires_escalation, with the page "
                                             "as continue_url; empty: agents complete any order")
    ucp_webhook_poll_s: float = Field(1.0, gt=0, description="How often the order-webhook sender looks for events")
    ucp_webhook_retry_s: float = Field(2.0, gt=0, description="First retry delay of a failed order webhook; it "
                                       "doubles each attempt, up to an hour")
    ucp_webhook_max_attempts: int = Field(12, ge=1, description="An order webhook is given up after this many tries")
    insights_events: bool = Field(True, description="Record attribution events (cards shown, clicks, carts, orders, "
                                  "handoffs, ratings, unmet demand) for the shop's insights and experiments")
    insights_flush_s: float = Field(1.0, gt=0, description="Attribution events are written in batches this often")
    experiments_refresh_s: float = Field(5.0, gt=0, description="How often a replica re-reads running experiments")

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'shop.db').as_posix()}"

    def shared_data(self, name: str) -> Path:
        """A shared data set's folder, e.g. shared_data("tau_retail")."""
        return self.shared_dir / "data" / name

    @property
    def checkout_pages(self) -> str:
        """Checkout pages' base URL, without a trailing slash: /checkout/{token} follows it."""
        return (self.checkout_base_url or self.public_base_url).rstrip("/")

    @property
    def agent_review_above_minor(self) -> int | None:
        return None if self.agent_review_above is None else round(self.agent_review_above * 100)

    @property
    def mock_payments(self) -> bool:
        return self.env != "production" if self.ucp_mock_payments is None else self.ucp_mock_payments

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def model_cache_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @field_validator("shop_currency")
    @classmethod
    def _upper_currency(cls, code: str) -> str:
        return code.upper()

    @field_validator("currency_rates")
    @classmethod
    def _upper_rate_codes(cls, rates: dict[str, float]) -> dict[str, float]:
        return {code.upper(): rate for code, rate in rates.items()}

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.env == "production" and self.secret.get_secret_value() == DEV_SECRET:
            raise ValueError("SHOPASSIST_SECRET must be set to a real secret in production")
        if self.env == "production" and self.operator_token.get_secret_value() == DEV_OPERATOR_TOKEN:
            raise ValueError("SHOPASSIST_OPERATOR_TOKEN must be set to a real token in production")
        testing_only = self.ucp_mock_payments or self.ucp_keyless_agents or self.ucp_simulation_secret is not None
        if self.env == "production" and testing_only:
            raise ValueError("SHOPASSIST_UCP_MOCK_PAYMENTS, _UCP_KEYLESS_AGENTS and _UCP_SIMULATION_SECRET are for "
                             "tests only: unset them in production")
        return self

    @model_validator(mode="after")
    def _public_url_from_bound_address(self) -> Settings:
        if "public_base_url" not in self.model_fields_set:
            host = f"[{self.host}]" if ":" in self.host else self.host
            self.public_base_url = f"http://{host}:{self.port}"
        return self

    @model_validator(mode="after")
    def _loopback_outside_production(self) -> Settings:
        if self.env != "production" and not self.allow_public_bind and not is_loopback(self.host):
            raise ValueError(f"SHOPASSIST_HOST {self.host!r} is not a loopback address: outside production the "
                             "server binds only to loopback (set SHOPASSIST_ENV=production with real secrets, or "
                             "SHOPASSIST_ALLOW_PUBLIC_BIND=true)")
        return self


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SettingsError(RuntimeError):
    """A configuration value is invalid; the message names the variable."""


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "settings"
    variable = f"SHOPASSIST_{field.upper()}" if first["loc"] else "settings"
    return f"invalid {variable}: {first['msg']}"


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
