"""The audit log's targets and details in words: every key the app records has a label, codes
among the values are named, and whatever has no words yet is shown as stored."""

import ast
import json

from app.admin.details import LABELS, detail_lines, target_text
from tests.unit.test_event_names import APP, is_record

SET_ASIDE = {"ip", "municipality_id", "email"}  # record()'s own columns, not details


def recorded_keys() -> set[str]:
    keys: set[str] = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if is_record(node):
                keys |= {k.arg for k in node.keywords if k.arg and k.arg not in SET_ASIDE}
                for spread in (k.value for k in node.keywords if k.arg is None):  # **{…}
                    keys |= {
                        key.value
                        for d in ast.walk(spread)
                        if isinstance(d, ast.Dict)
                        for key in d.keys
                        if isinstance(key, ast.Constant)
                    }
    return keys


def test_every_detail_the_app_records_has_a_label():
    keys = recorded_keys()
    assert {"comments", "plan", "by", "role", "before", "round", "rounds"} <= keys  # found
    assert keys - set(LABELS) == set()


def test_targets_read_as_norwegian():
    assert target_text("round 12: Vår 2025") == "Runde 12: Vår 2025"
    assert target_text("round 12") == "Runde 12"
    assert target_text("measure 3 (round 5): Faste møter") == "Tiltak 3 (runde 5): Faste møter"
    assert target_text("feedback 8") == "Tilbakemelding 8"
    assert target_text("ola@kommune.no") == "ola@kommune.no"
    assert target_text("rounds of golf") == "rounds of golf"


def test_details_name_codes_and_read_yes_no_and_dates():
    assert detail_lines(json.dumps({"comments": True, "plan": False})) == [
        "Kommentarer: ja",
        "Handlingsplan: nei",
    ]
    assert detail_lines(json.dumps({"respondents": 4, "by": "deadline"})) == [
        "Respondenter: 4",
        "Lukket av: fristen",
    ]
    change = {"before": {"role": "staff", "active": True}, "after": {"role": "manager"}}
    assert detail_lines(json.dumps(change)) == [
        "Før: (Rolle: Ansatt, Aktiv: ja)",
        "Etter: (Rolle: Leder)",
    ]
    assert detail_lines(json.dumps({"old": "2027-01-15", "new": "2027-02-01"})) == [
        "Tidligere frist: 15.01.2027",
        "Ny frist: 01.02.2027",
    ]
    # An area by its title; an id the guidance no longer has, as stored.
    assert detail_lines(json.dumps({"areas": ["tillit", "laget"], "owner_user_id": None})) == [
        "Områder: Tillit mellom deltaker og veileder, laget",
        "Ansvarlig (bruker-id): –",
    ]


def test_what_has_no_words_is_shown_as_stored():
    assert detail_lines("{}") == []
    assert detail_lines(json.dumps({"something_new": 3})) == ["something_new: 3"]
    assert detail_lines(json.dumps({"role": "astronaut"})) == ["Rolle: astronaut"]
    assert detail_lines(json.dumps({"status": "5"})) == ["Status: 5"]  # not a measure status
    assert detail_lines("not json") == ["not json"]


def test_a_municipality_is_named_where_the_log_has_its_id():
    change = {"before": {"municipality_id": 7}, "after": {"municipality_id": 9}}
    assert detail_lines(json.dumps(change), {7: "Bergen (4601)"}) == [
        "Før: (Kommune: Bergen (4601))",
        "Etter: (Kommune: 9)",  # not known: as stored
    ]
