"""Every setting, read once from the environment and ``.env`` (see ``.env.example`` for each one)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import DossierError
from bot.i18n import SUPPORTED, Language

DB_FILE = "dossier.sqlite3"  # the store's file in the data folder (``Settings.db_path``)


class SettingsError(DossierError):
    """A setting has a bad value; the message is one line naming the variable."""


def _split_csv(value: Any) -> Any:
    """``123,456`` as users write it (pydantic-settings would otherwise demand JSON: ``[123,456]``)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org", validation_alias="TELEGRAM_API_BASE_URL"
    )
    corpus_dir: Path = Field(default=Path("corpus"), validation_alias="DOSSIER_CORPUS_DIR")
    data_dir: Path = Field(default=Path("data"), validation_alias="DOSSIER_DATA_DIR")
    database_url: SecretStr | None = Field(default=None, validation_alias="DOSSIER_DATABASE_URL")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias="DOSSIER_ADMIN_IDS"
    )
    timezone: str = Field(default="UTC", validation_alias="DOSSIER_TIMEZONE")
    log_level: str = Field(default="INFO", validation_alias="DOSSIER_LOG_LEVEL")
    access: Literal["open", "members"] = Field(default="open", validation_alias="DOSSIER_ACCESS")
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias="DOSSIER_ALLOWED_USER_IDS"
    )
    allowed_chat_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias="DOSSIER_ALLOWED_CHAT_IDS"
    )
    corpus_scan: str = Field(default="every 5m", validation_alias="DOSSIER_CORPUS_SCAN")
    digest_schedule: str = Field(default="0 9 * * *", validation_alias="DOSSIER_DIGEST_SCHEDULE")
    webhook_url: str | None = Field(default=None, validation_alias="DOSSIER_WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="DOSSIER_WEBHOOK_SECRET")
    webhook_listen: str = Field(default="0.0.0.0", validation_alias="DOSSIER_WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias="DOSSIER_WEBHOOK_PORT")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, validation_alias="DOSSIER_METRICS_PORT")
    metrics_listen: str = Field(default="127.0.0.1", validation_alias="DOSSIER_METRICS_LISTEN")
    max_upload_mb: int = Field(default=20, ge=1, le=2000, validation_alias="DOSSIER_MAX_UPLOAD_MB")
    group_admins_can_upload: bool = Field(default=False, validation_alias="DOSSIER_GROUP_ADMINS_CAN_UPLOAD")
    default_language: Language = Field(default="en", validation_alias="DOSSIER_DEFAULT_LANGUAGE")

    @field_validator("admin_ids", "allowed_user_ids", "allowed_chat_ids", mode="before")
    @classmethod
    def _id_lists(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _metrics_port(cls, value: Any) -> Any:
        """Empty or ``off``: no listener (the default)."""
        if isinstance(value, str) and value.strip().lower() in ("", "off"):
            return None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") and not value.startswith("http://127.0.0.1"):
            raise ValueError(f"{value!r} must be an https:// URL (Telegram only calls https webhooks)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (leave it empty for SQLite in DOSSIER_DATA_DIR)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Moscow)") from exc
        return value

    @field_validator("default_language", mode="before")
    @classmethod
    def _default_language(cls, value: Any) -> Any:
        """``ru`` or ``RU``; anything but a supported language is one clear line, not pydantic's."""
        lang = value.strip().lower() if isinstance(value, str) else value
        if lang not in SUPPORTED:
            raise ValueError(f"not a language the bot speaks (use {' or '.join(SUPPORTED)})")
        return lang

    @field_validator("digest_schedule")
    @classmethod
    def _digest_schedule(cls, value: str) -> str:
        from bot.schedule import parse_schedule

        parse_schedule(value, ZoneInfo("UTC"))  # raises ScheduleError (a ValueError) with a clear message
        return value.strip()

    @field_validator("corpus_scan")
    @classmethod
    def _corpus_scan(cls, value: str) -> str:
        from bot.schedule import parse_schedule

        if value.strip().lower() == "off":
            return "off"
        if parse_schedule(value, ZoneInfo("UTC")).interval is None:
            raise ValueError(f"{value!r}: use an interval such as 'every 5m', or 'off'")
        return value.strip()

    @property
    def corpus_scan_interval(self) -> timedelta | None:
        from bot.schedule import parse_schedule

        if self.corpus_scan == "off":
            return None
        return parse_schedule(self.corpus_scan, ZoneInfo("UTC")).interval

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"{value!r} is not one of DEBUG, INFO, WARNING, ERROR")
        return upper

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def api_url(self) -> str:
        """What PTB calls ``base_url``: it appends the token itself."""
        return f"{self.telegram_api_base_url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.telegram_api_base_url}/file/bot"

    @property
    def max_upload_bytes(self) -> int:
        """The Bot API lets bots download 20 MB; a self-hosted Bot API server allows more."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def store_url(self) -> str | None:
        """The PostgreSQL database to keep everything in, or None: SQLite at ``db_path``."""
        return self.database_url.get_secret_value() if self.database_url else None

    def check_paths(self) -> None:
        if not self.corpus_dir.is_dir():
            raise SettingsError("settings.no_corpus_dir", path=str(self.corpus_dir))


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, or SettingsError with one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "settings"
            field = Settings.model_fields.get(name)
            alias = field.validation_alias if field and isinstance(field.validation_alias, str) else name
            msg = err["msg"].removeprefix("Value error, ")
            bad = err.get("input")
            lines.append(f"{alias}: {msg}" + (f" (got {bad!r})" if isinstance(bad, str | int) else ""))
        raise SettingsError("settings.invalid", problems="; ".join(lines)) from None
