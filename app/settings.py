"""All configuration in one place, read from the environment (prefix GODEGREP_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
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
    guidance_dir: Path = ROOT / "guidance"
    # Results stay hidden until this many respondents have submitted. None: the content decides.
    min_respondents: int | None = Field(default=None, ge=1)
    session_idle_minutes: int = Field(default=120, ge=5)
    max_comment_length: int = Field(default=2000, ge=100)

    @model_validator(mode="after")
    def _production_is_safe(self) -> "Settings":
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("GODEGREP_SECRET_KEY must be set to at least 32 random characters")
            if self.demo:
                raise ValueError("GODEGREP_DEMO cannot be on in production")
        return self

    @property
    def cookie_secure(self) -> bool:
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
