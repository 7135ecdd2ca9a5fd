"""Structured logs: one JSON object per line on stderr, and a request id on every request.

Each request is logged once when it ends: time, level, request id, method, route template
(`/runder/{round_id}/omrade/{area_id}`, never the path itself, which may hold a token), status,
duration in ms and the user id (never the e-mail). What people wrote (answers, comments) is
never logged: database errors carry no statement parameters (`hide_parameters` in app/db.py),
and e-mail addresses that still reach a message (an SMTP error quoting its recipient) are
masked here. Uvicorn loads this formatter through `app/logging.json` (`--log-config`).
"""

import json
import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# A caller's id is kept only when it is short and plain, so it cannot forge log lines.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
EMAIL = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+\.[A-Za-z]{2,}")
REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "user_id")
CONFIG = Path(__file__).with_name("logging.json")

log = logging.getLogger("app.requests")


def mask(text: str) -> str:
    return EMAIL.sub("[e-post]", text)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (the request id of the request it belongs to, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            line["request_id"] = request_id
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def configure() -> None:
    """JSON lines for a command run outside uvicorn (the scheduled jobs), as the app logs."""
    logging.config.dictConfig(json.loads(CONFIG.read_text()))


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            sent: str = value.decode("latin-1")
            if SANE_REQUEST_ID.match(sent):
                return sent
    return uuid.uuid4().hex


class RequestLog:
    """Outermost middleware: give the request its id (a sane incoming X-Request-ID, else a new
    one), return it in the X-Request-ID header, and log one line when the request ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        failure = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            failure = exc
            if not started:
                raise
        finally:
            self._log(scope, status, start, failure)
            REQUEST_ID.reset(token)

    @staticmethod
    def _log(scope: Scope, status: int, start: float, failure: BaseException | None) -> None:
        route = scope.get("route")
        actor = scope.get("state", {}).get("actor")
        fields = {
            "method": scope["method"],
            "route": getattr(route, "path", None),
            "status": status,
            "duration_ms": round(1000 * (time.perf_counter() - start), 1),
            "user_id": getattr(actor, "user_id", None),
        }
        level = logging.ERROR if failure or status >= 500 else logging.INFO
        exc_info = (type(failure), failure, failure.__traceback__) if failure else None
        log.log(level, "request", extra=fields, exc_info=exc_info)
