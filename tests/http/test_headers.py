"""Caching, HSTS, and which address counts as the client's (X-Forwarded-For)."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.audit import AuditEvent
from app.main import app, create_app
from app.settings import get_settings
from tests.conftest import csrf_of, login


def test_pages_and_exports_are_never_stored_by_a_cache(client, cast):
    login(client, cast.manager)
    rnd = cast.round_a.id
    for url in ("/konto", f"/runder/{rnd}", f"/runder/{rnd}/resultater", "/kommune/eksport"):
        response = client.get(url)
        assert response.status_code < 400, url
        assert response.headers["cache-control"] == "no-store", url


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_hsts_only_in_production(client, monkeypatch):
    assert "strict-transport-security" not in client.get("/helse/live").headers
    monkeypatch.setattr(get_settings(), "environment", "production")
    monkeypatch.setattr(get_settings(), "secret_key", "k" * 40)
    with TestClient(create_app()) as production:
        hsts = production.get("/helse/live").headers["strict-transport-security"]
    assert "max-age=63072000" in hsts


def failed_login_ip(db, peer: str, forwarded: str) -> str:
    """Fail a login from `peer` with the given X-Forwarded-For; the address the audit log got."""
    with TestClient(app, client=(peer, 50000), follow_redirects=False) as client:
        token = csrf_of(client)
        data = {"email": "ingen@a.no", "password": "feil", "csrf_token": token}
        client.post("/logg-inn", data=data, headers={"X-Forwarded-For": forwarded})
    event = db.exec(select(AuditEvent).where(AuditEvent.event == "login_failed")).one()
    return event.ip


def test_a_forwarded_address_is_ignored_by_default(client, db):
    assert failed_login_ip(db, "198.51.100.5", "203.0.113.7") == "198.51.100.5"


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(client, db, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8")
    assert failed_login_ip(db, "198.51.100.5", "203.0.113.7") == "198.51.100.5"


def test_behind_trusted_proxies_the_right_most_untrusted_address_counts(client, db, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8, 192.0.2.1")
    forwarded = "6.6.6.6, 203.0.113.7, 192.0.2.1"  # the client forged the first one
    assert failed_login_ip(db, "10.1.2.3", forwarded) == "203.0.113.7"


def test_a_malformed_trusted_proxy_stops_start_up():
    from app.settings import Settings

    with pytest.raises(ValueError, match="GODEGREP_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, not-an-address")
