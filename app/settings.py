"""All configuration in one place, read from the environment (prefix GODEGREP_)."""

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GODEGREP_", env_file=None)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'gode_grep.db'}"
    secret_key: str = DEV_SECRET
    # The local demo (make run) sets this; it shows a "Demo" marker on every page.
    demo: bool = False
    # The local demo runs the scheduled work itself every this many seconds (0: not at all;
    # make run sets 60). Production runs `python -m app.jobs` from cron or the jobs container.
    demo_jobs_every: float = 0
    guidance_dir: Path = ROOT / "guidance"
    # Results stay hidden until this many respondents have submitted. None: the content decides;
    # below 3 it is refused at start, and below the content's own minimum it is not used
    # (app.results.snapshot.plain_minimum): at 1 a manager would read single answers.
    min_respondents: int | None = Field(default=None, ge=3)
    session_idle_minutes: int = Field(default=120, ge=5)
    # A login ends after this many hours however busy it is (logout ends it at once).
    session_max_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Requests with a larger body (forms and uploads alike) are refused with 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Proxies whose X-Forwarded-For we believe (comma-separated IPs or CIDRs). None by default:
    # the address of whoever connects is the client's, so nobody can forge it with a header.
    trusted_proxies: str = ""
    max_comment_length: int = Field(default=2000, ge=100)
    # The address links in e-mails point to (invitations, password resets).
    base_url: str = "http://127.0.0.1:8000"
    invitation_days: int = Field(default=14, ge=1, le=60)
    reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Outgoing e-mail. The demo and the tests run a local SMTP server (aiosmtpd).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Gode grep <ikke-svar@godegrep.local>"
    # Login with an external identity provider (OpenID Connect): ID-porten, Entra ID, Feide …
    oidc_issuer: str | None = None  # e.g. https://login.microsoftonline.com/<tenant>/v2.0
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "ID-porten"  # shown on the login button
    # Login rate limits (per account and per client address), as `limits` strings.
    login_limit_account: str = "5/15minutes"
    login_limit_address: str = "30/15minutes"
    # Password-reset requests (per address typed and per client address); past them the
    # answer looks the same, but no mail is sent.
    reset_limit_account: str = "3/hour"
    reset_limit_address: str = "20/hour"
    # Where the counts live: memory:// for one process; redis://… when several app instances run.
    rate_limit_storage: str = "memory://"
    # Every key this app writes to Redis starts with this, so instances of different services
    # (or a test run) can share one Redis without seeing each other's counts.
    redis_key_prefix: str = Field(default="godegrep", pattern=r"^[A-Za-z0-9_.:-]{1,40}$")

    @property
    def redis_url(self) -> str | None:
        """The Redis the app depends on, if any (the rate-limit store)."""
        scheme = self.rate_limit_storage.split("://", 1)[0]
        return self.rate_limit_storage if scheme in {"redis", "rediss"} else None

    @model_validator(mode="after")
    def _production_is_safe(self) -> "Settings":
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("GODEGREP_SECRET_KEY must be set to at least 32 random characters")
            if self.demo:
                raise ValueError("GODEGREP_DEMO cannot be on in production")
        self.proxy_networks  # noqa: B018  (a malformed address stops start-up here)
        return self

    @property
    def proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        parts = (p.strip() for p in self.trusted_proxies.split(","))
        try:
            return tuple(ip_network(p, strict=False) for p in parts if p)
        except ValueError as exc:
            raise ValueError(f"GODEGREP_TRUSTED_PROXIES: {exc}") from None

    def check_may_serve(self) -> None:
        """The web app refuses to start with the public development secret outside demo and tests."""
        if self.environment == "test" or (self.demo and self.environment == "development"):
            return
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            raise RuntimeError(
                "GODEGREP_SECRET_KEY must be set to at least 32 random characters "
                "(only the local demo, GODEGREP_DEMO=1, and tests may run without it)"
            )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def cookie_secure(self) -> bool:
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    """The settings, or a stop with the reasons in one line: an operator's migrate step or
    app process shows why, without a traceback and without the values (secrets among them)."""
    try:
        return Settings()
    except ValidationError as exc:
        reasons = "; ".join(_reason(e["loc"], str(e["msg"])) for e in exc.errors())
        raise SystemExit(f"Gode grep: settings refused: {reasons}") from None


def _reason(where: tuple[int | str, ...], message: str) -> str:
    """One refusal, named by its variable (the checks across settings name theirs)."""
    message = message.removeprefix("Value error, ")
    if not where:
        return message
    return f"GODEGREP_{'_'.join(map(str, where)).upper()}: {message}"
