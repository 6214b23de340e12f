"""Settings: environment and .env values, explicit overrides, one-line errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopassist.cli import app
from shopassist.settings import SettingsError, get_settings, load_settings


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_PORT", "9123")
    monkeypatch.setenv("SHOPASSIST_DATABASE_URL", "postgresql+psycopg://u:p@db/shop")
    settings = load_settings()
    assert settings.port == 9123
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db/shop"


def test_explicit_values_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_PORT", "9123")
    assert load_settings(port=7000).port == 7000


def test_currency_rates_are_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().currency_rates == {"CNY": 0.14} and load_settings().shop_currency == "USD"
    monkeypatch.setenv("SHOPASSIST_SHOP_CURRENCY", "eur")
    monkeypatch.setenv("SHOPASSIST_CURRENCY_RATES", '{"usd": 0.92, "CNY": 0.13}')
    settings = load_settings()
    assert settings.shop_currency == "EUR" and settings.currency_rates == {"USD": 0.92, "CNY": 0.13}


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SHOPASSIST_LLM_BACKEND=openai\n")
    assert load_settings().llm_backend == "openai"


def test_sqlite_is_the_default_database(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path.as_posix()}/shop.db"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SHOPASSIST_PORT", "not-a-port"), ("SHOPASSIST_LLM_BACKEND", "gpt-everything"), ("SHOPASSIST_LLM_THREADS", "0"),
     ("SHOPASSIST_CURRENCY_RATES", '{"CNY": 0}')],
)
def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert variable in message
    assert "\n" not in message


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(SettingsError, match="SHOPASSIST_SECRET"):
        load_settings(env="production")
    assert load_settings(env="production", secret="a-real-secret", operator_token="a-real-token").env == "production"


def test_production_refuses_the_development_operator_token() -> None:
    with pytest.raises(SettingsError, match="SHOPASSIST_OPERATOR_TOKEN"):
        load_settings(env="production", secret="a-real-secret")


def test_outside_production_the_server_binds_only_to_loopback() -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        assert load_settings(env="development", host=host).host == host
    with pytest.raises(SettingsError, match="SHOPASSIST_HOST '0.0.0.0' is not a loopback address"):
        load_settings(env="development", host="0.0.0.0")
    assert load_settings(env="development", host="0.0.0.0", allow_public_bind=True).host == "0.0.0.0"
    assert load_settings(env="production", secret="s", operator_token="t", host="0.0.0.0").host == "0.0.0.0"


def test_serve_refuses_a_public_host_in_development() -> None:
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "not a loopback address" in result.output


def test_cli_stops_with_one_line_on_bad_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPASSIST_MAX_FRAME_BYTES", "-5")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["data", "stats"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: invalid SHOPASSIST_MAX_FRAME_BYTES: Input should be greater than or equal to 256"
    ]
