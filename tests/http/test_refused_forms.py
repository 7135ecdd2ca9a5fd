"""A refused form is shown again with everything as typed and the reason at its field, never
a dead-end error page: KS's feedback, the manager's reply to it, and a new deadline."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.clock import oslo_today as today
from app.review.models import Feedback
from tests.conftest import four_staff, login
from tests.factories import make_closed_round_at
from tests.http.test_review import replying_to, send_feedback, share


@pytest.fixture
def closed(db, cast):
    return make_closed_round_at(db, cast.a, four_staff(db, cast))


def refused(response) -> BeautifulSoup:
    assert response.status_code == 422
    return BeautifulSoup(response.text, "html.parser")


NATIONAL_ID = "01010112377"  # passes both mod-11 checks


def test_refused_feedback_keeps_every_text_and_marks_the_one_at_fault(client, cast, db, closed):
    share(client, cast, closed)
    response = send_feedback(
        client,
        cast,
        closed,
        "draft",
        **{"": "Godt arbeid med tilliten.", "tillit": f"Gjelder {NATIONAL_ID}"},
    )
    page = refused(response)
    assert page.title.get_text().startswith("Feil: ")  # read first by a screen reader
    assert "fødselsnummer" in page.select_one("#feedback-error").get_text()
    assert "teksten står der du skrev den" in page.select_one("#feedback-error").get_text()
    whole, trust = page.select_one("#fb-hele"), page.select_one("#fb-tillit")
    assert whole.get_text() == "Godt arbeid med tilliten."
    assert trust.get_text() == f"Gjelder {NATIONAL_ID}"
    assert trust["aria-invalid"] == "true"
    assert trust["aria-describedby"] == "feedback-error"
    assert not whole.has_attr("aria-invalid")
    assert db.exec(select(Feedback)).all() == []  # nothing saved, not even the good text
    assert not page.select_one("#feedback-error").has_attr("autofocus")  # the field has it
    empty = refused(send_feedback(client, cast, closed, "send"))
    assert "Skriv minst én" in empty.select_one("#feedback-error").get_text()
    assert "teksten står" not in empty.select_one("#feedback-error").get_text()  # none typed
    assert db.exec(select(Feedback)).all() == []


def test_a_send_with_nothing_written_brings_the_reason_into_view(client, cast, closed):
    """The form is at the foot of a long page that opens at its top: a reason at no one field
    takes the focus itself, or the adviser sees nothing happen."""
    share(client, cast, closed)
    page = refused(send_feedback(client, cast, closed, "send"))
    reason = page.select_one("#feedback-error")
    assert "Skriv minst én" in reason.get_text()
    assert reason.has_attr("autofocus")
    assert reason["tabindex"] == "-1"
    assert page.select("textarea[autofocus]") == []


def test_a_refused_reply_is_shown_again_as_typed(client, cast, db, closed, mailbox):
    typed = f"Takk. Det gjelder {NATIONAL_ID}."
    data = replying_to(client, cast, closed) | {"text": typed}
    reply_url = f"/runder/{closed.id}/tilbakemelding/svar"
    page = refused(client.post(reply_url, data=data))
    assert "Se på oppfølgingen." in page.select_one(".plain-text").get_text()  # what is answered
    assert page.select_one("#reply").get_text() == typed
    assert "fødselsnummer" in page.select_one("#reply-error").get_text()
    assert "teksten står der du skrev den" in page.select_one("#reply-error").get_text()
    assert db.exec(select(Feedback.reply)).all() == [None]
    data["text"] = "  "  # nothing written: nothing said about a text
    assert "teksten står" not in refused(client.post(reply_url, data=data)).get_text()
    data["text"] = "x" * 8200  # far too long: shown again whole, not a bare error page
    assert refused(client.post(reply_url, data=data)).select_one("#reply").get_text() == "x" * 8200
    data["text"] = "Takk, vi tar det med."  # sent again from that page
    assert client.post(f"/runder/{closed.id}/tilbakemelding/svar", data=data).status_code == 303
    assert db.exec(select(Feedback.reply)).all() == ["Takk, vi tar det med."]


def test_a_reply_sent_too_late_keeps_its_text_to_copy(client, cast, db, closed, mailbox):
    reply_url = f"/runder/{closed.id}/tilbakemelding/svar"
    first = replying_to(client, cast, closed) | {"text": "Vi tar det med i planen."}
    assert client.post(reply_url, data=first).status_code == 303  # another tab, or a colleague
    mine = "Takk!\nVi ser på oppfølgingen i januar."
    response = client.post(reply_url, data=first | {"text": mine})
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#unsent").get_text() == mine
    assert page.select_one("#unsent").has_attr("readonly")
    assert page.select_one("#sent-reply").get_text() == "Vi tar det med i planen."
    assert "allerede besvart" in page.select_one("[role=alert]").get_text()
    assert page.select_one("form[action$='/svar']") is None  # it cannot be sent twice
    assert db.exec(select(Feedback.reply)).all() == ["Vi tar det med i planen."]


def test_a_refused_deadline_is_shown_at_its_field_as_typed(client, cast, db):
    token = login(client, cast.manager)
    past = (today() - timedelta(days=3)).isoformat()
    response = client.post(
        f"/runder/{cast.round_a.id}/frist", data={"csrf_token": token, "deadline": past}
    )
    page = refused(response)
    field = page.select_one("#new-deadline")
    assert field["value"] == past
    assert field["aria-invalid"] == "true"
    assert "i dag eller senere" in page.select_one("#deadline-error").get_text()


def test_a_refused_invitation_keeps_the_address_and_the_role(client, cast, db):
    token = login(client, cast.admin)
    url = f"/admin/kommuner/{cast.b.id}/inviter"
    data = {"email": "ikke-en-adresse", "role": "manager", "csrf_token": token}
    page = BeautifulSoup(client.post(url, data=data).text, "html.parser")
    field = page.select_one("#inv-email")
    assert field["value"] == "ikke-en-adresse"
    assert field["aria-invalid"] == "true"
    assert page.select_one("#inv-error").get_text().strip()
    assert page.select_one("#inv-role option[selected]")["value"] == "manager"


def test_the_municipality_search_reads_out_only_the_count(client, cast):
    login(client, cast.admin)
    page = BeautifulSoup(client.get("/admin/kommuner").text, "html.parser")
    (live,) = page.select("[aria-live], [role=status]")
    assert live["id"] == "results-count"  # not the table of hundreds of rows
    found = client.get("/admin/kommuner?q=Kommune A", headers={"HX-Request": "true"}).text
    count = BeautifulSoup(found, "html.parser").select_one("[hx-swap-oob]")
    assert count["hx-swap-oob"] == "innerHTML:#results-count"
    assert count.get_text() == "1 kommune"


def test_feedback_typed_while_the_share_was_withdrawn_comes_back_to_copy(client, cast, db, closed):
    """The municipality withdrew while the adviser wrote: not a bare «not found» that loses
    the text, but the text back with the reason, and still nothing of the round."""
    share(client, cast, closed)
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    texts = {"": "Godt arbeid.\nFortsett slik.", "tillit": "Se på tilliten."}
    response = send_feedback(client, cast, closed, "send", **texts)
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    assert "trukket tilbake delingen" in page.select_one("[role=alert]").get_text()
    kept = {
        page.select_one(f"label[for={box['id']}]").get_text(): box.get_text()
        for box in page.select("textarea[readonly]")
    }
    assert kept == {"Hele runden": texts[""], "Tillit mellom deltaker og veileder": texts["tillit"]}
    assert closed.name not in response.text
    assert db.exec(select(Feedback)).all() == []
    # With nothing typed there is nothing to give back: the ordinary page.
    assert "Fant ikke siden" in send_feedback(client, cast, closed, "send", **{"": ""}).text


def test_done_pressed_after_the_share_was_withdrawn_gives_the_feedback_back(client, cast, closed):
    """The done button sends the feedback form: text typed there is not lost to a bare «not
    found» when the municipality withdrew meanwhile, as saving it would not lose it."""
    share(client, cast, closed)
    token = login(client, cast.manager)
    client.post(f"/runder/{closed.id}/trekk-deling", data={"csrf_token": token})
    token = login(client, cast.ks_adviser)
    typed = {"csrf_token": token, "f.": "", "f.tillit": "Se på tilliten."}
    response = client.post(f"/ks/runder/{closed.id}/ferdig", data=typed)
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    assert "trukket tilbake delingen" in page.select_one("[role=alert]").get_text()
    assert [box.get_text() for box in page.select("textarea[readonly]")] == ["Se på tilliten."]
    assert closed.name not in response.text


def test_done_pressed_on_a_round_a_colleague_marked_done_keeps_the_text(client, cast, closed):
    """Another adviser marked the review done while this one wrote: the reason, and the
    feedback form again with every text as typed, still there to send."""
    share(client, cast, closed)
    token = login(client, cast.ks_adviser)
    done = f"/ks/runder/{closed.id}/ferdig"
    assert client.post(done, data={"csrf_token": token, "f.": ""}).status_code == 303
    typed = {"csrf_token": token, "f.": "Godt arbeid.", "f.tillit": ""}
    response = client.post(done, data=typed)
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    assert "allerede markert som ferdig" in page.select_one("#feedback-error").get_text()
    assert page.select_one("#fb-hele").get_text() == "Godt arbeid."
