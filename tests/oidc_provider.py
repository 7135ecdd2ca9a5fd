"""A small but real OpenID Connect provider for tests, served by uvicorn on a free loopback port.

It has no login screen: /authorize sends the browser straight back with a code for whoever the
test put in `next_login` (or with `next_error`, e.g. "access_denied"). Codes are single-use and
remember the nonce, PKCE challenge and redirect_uri; /token checks all of them and the client
secret, and signs the ID token (RS256) with a key made at start. `id_token_extra` overrides ID
token claims and `signing_key` can be swapped, so tests can hand the app bad tokens.
"""

import base64
import hashlib
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "gode-grep-test"
CLIENT_SECRET = "test-client-secret-0123456789"


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})


class Provider:
    def __init__(self) -> None:
        self.key = self.signing_key = new_key()
        self.next_login: dict[str, Any] = {}  # claims for the next /authorize (email, …)
        self.next_error: str | None = None
        self.email_in_id_token = True  # False: the e-mail is only given by /userinfo
        self.id_token_extra: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.issuer = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
            ]
        )
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, args=([self._socket],), daemon=True
        )

    def start(self) -> "Provider":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test OIDC provider did not start within 10 s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def reset(self) -> None:
        self.signing_key = self.key
        self.next_login, self.next_error, self.email_in_id_token = {}, None, True
        self.id_token_extra = {}

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if self.next_error:
            back = {"error": self.next_error, "state": q.get("state", "")}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "claims": dict(self.next_login),
                "nonce": q.get("nonce"),
                "challenge": q.get("code_challenge"),
                "method": q.get("code_challenge_method"),
                "redirect_uri": q.get("redirect_uri"),
            }
            back = {"code": code, "state": q.get("state", "")}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        client_id, _, secret = base64.b64decode(credentials or "").decode().partition(":")
        if scheme.lower() != "basic" or (unquote(client_id), unquote(secret)) != (
            CLIENT_ID,
            CLIENT_SECRET,
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)  # single use
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or form.get("redirect_uri") != grant["redirect_uri"]
            or grant["method"] != "S256"
            or challenge.rstrip(b"=").decode() != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        claims = grant["claims"]
        now = int(time.time())
        id_claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300}
        id_claims |= {"sub": claims["sub"], "nonce": grant["nonce"]}
        if self.email_in_id_token:
            id_claims |= claims
        id_claims |= self.id_token_extra
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = claims
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": jwt.encode(header, id_claims, self.signing_key),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def userinfo(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        claims = self.access_tokens.get(token)
        if claims is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse(claims)
