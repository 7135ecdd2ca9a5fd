"""Static files: versioned URLs that can be cached for a year, sent compressed.

`static("css/app.css")` gives `/static/css/app.css?v=<hash of the file>`, so a changed file gets
a new URL and browsers may keep every version forever. Only static files are compressed:
pages carry CSRF tokens beside text a user typed, and compressing those invites BREACH.
"""

import hashlib
from functools import cache
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

from app.settings import ROOT

STATIC = ROOT / "static"
YEAR = 365 * 24 * 60 * 60


@cache
def _version(name: str) -> str:
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash so it can be cached for long."""
    version = _version(name)
    return f"/static/{name}?v={version}" if version else f"/static/{name}"


class CachedStatic(StaticFiles):
    """Versioned requests are immutable for a year; unversioned ones are revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        if response.status_code == 200:
            response.headers["cache-control"] = (
                f"public, max-age={YEAR}, immutable" if versioned else "public, max-age=300"
            )
        return response


def static_app(directory: Path = STATIC) -> ASGIApp:
    return GZipMiddleware(CachedStatic(directory=directory), minimum_size=500)
