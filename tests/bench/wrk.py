"""The compiled load driver for tests/bench/autosave.py: wrk (Debian: `apt-get install wrk`).

The Python driver (httpx on asyncio) costs CPU on the same two cores as the server, so it can
set the ceiling itself, most of all for the cheap bare handler. wrk is C and costs a fraction.
It sends the same saves: a Lua script rotates through the savers' logged-in sessions (cookie
and CSRF token from the Python log-ins) or their response ids (bare), a random statement of the
area and a random level per request, over --savers connections, with an optional random pause
(wrk's `delay()`, mean --think-ms) for a meeting pace. Its `done()` hook writes the figures
(requests, non-2xx, socket errors, p50/p95/p99 latency) as one JSON line we read back.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SCRIPT = """
local sessions = {%(sessions)s}
local statements = {%(statements)s}
local path = "%(path)s"
local think = %(think)d
local i = 0
math.randomseed(os.time() + math.floor(os.clock() * 1000000))

request = function()
  i = i + 1
  local s = sessions[(i %% #sessions) + 1]
  local body = s[2] .. "&a." .. statements[math.random(#statements)] .. "=" .. math.random(0, 4)
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["HX-Request"] = "true"}
  if s[1] ~= "" then headers["Cookie"] = s[1] end
  return wrk.format("POST", path, headers, body)
end

if think > 0 then
  delay = function() return math.random(0, 2 * think) end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, " ..
    "\\"p99_us\\": %%d, \\"status\\": %%d, \\"connect\\": %%d, \\"read\\": %%d, \\"write\\": %%d, " ..
    "\\"timeout\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script(sessions: list[tuple[str, str]], statements: list[str], path: str, think: int) -> str:
    """sessions: (Cookie header or "", form fields) per saver."""
    rows = ", ".join(f"{{{lua_string(c)}, {lua_string(b)}}}" for c, b in sessions)
    names = ", ".join(lua_string(s) for s in statements)
    return SCRIPT % {"sessions": rows, "statements": names, "path": path, "think": think}


def run(
    base_url: str,
    sessions: list[tuple[str, str]],
    statements: list[str],
    path: str,
    seconds: float,
    think_ms: float,
) -> dict[str, Any]:
    """One timed wrk run; the figures in the shape autosave.py's summarise() gives."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script(sessions, statements, path, int(think_ms)))
    command = ["wrk", "-t2", f"-c{len(sessions)}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "5s", "-s", file.name, base_url]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    finally:
        Path(file.name).unlink(missing_ok=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {done.stdout[-500:]} {done.stderr[-500:]}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    wall = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    ok = raw["requests"] - raw["status"]
    kinds = {k: raw[k] for k in ("status", "connect", "read", "write", "timeout") if raw[k]}
    return {
        "seconds": round(wall, 2),
        "requests": ok,
        "requests_per_s": ok / wall if wall else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["status"] + socket_errors,
        "error_kinds": kinds,
    }
