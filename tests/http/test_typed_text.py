"""What a person typed is neither lost nor written over: a page left open in another tab, a
button pressed after the round closed, a comment longer than the limit. (The browser half,
autosave.js, is tested in tests/browser/test_unsaved.py.)"""

from bs4 import BeautifulSoup
from sqlmodel import select

from app.rounds.forms import parse_answer_form
from app.rounds.models import Answer, AreaComment
from app.settings import get_settings
from app.web import BACKGROUND_READ
from tests.conftest import login
from tests.http.test_answering import answer_everything
from tests.http.test_questionnaire_edges import HX, areas
from tests.http.test_results import close


def as_a_browser_sends(html: str, **changes: str) -> dict[str, str]:
    """The questionnaire form as a browser posts it: hidden fields, checked radios, the
    textarea's text, with `changes` made by the person."""
    form = BeautifulSoup(html, "html.parser").select_one("form.questionnaire")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    data |= {i["name"]: i["value"] for i in form.select("input[type=radio][checked]")}
    data |= {t["name"]: t.get_text() for t in form.select("textarea[name]")}
    return data | changes


def test_unchanged_fields_of_a_plain_post_are_not_written():
    form = parse_answer_form(
        {
            "a.one": "2",
            "was.a.one": "2",  # as the page showed it
            "a.two": "3",
            "was.a.two": "",  # unanswered when the page was made
            "c.area": "Samme tekst\r\n",
            "was.c.area": "Samme tekst",
            "c.other": "Ny tekst",
        }
    )
    assert form.answers == {"two": 3}
    assert form.comments == {"other": "Ny tekst"}


def test_a_page_left_open_does_not_put_back_what_another_tab_saved(client, cast, db):
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    first, second = (s.id for s in area.statements[:2])
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    client.post(url, data={f"a.{first}": "1", "csrf_token": token}, headers=HX)
    old_tab = client.get(url).text  # shows level 1 and no comment
    # Later, in another tab: a new level and a comment, each saved as it was made.
    client.post(url, data={f"a.{first}": "4", "csrf_token": token}, headers=HX)
    client.post(
        url, data={f"c.{area.id}": "Skrevet i den andre fanen", "csrf_token": token}, headers=HX
    )
    # The old tab answers the second statement only, and presses its button.
    data = as_a_browser_sends(old_tab, **{f"a.{second}": "2", "goto": "next"})
    assert data[f"a.{first}"] == "1"
    assert data[f"c.{area.id}"] == ""
    assert client.post(url, data=data).status_code == 303
    levels = dict(db.exec(select(Answer.statement_id, Answer.level)).all())
    assert (levels[first], levels[second]) == (4, 2)
    assert db.exec(select(AreaComment.text)).all() == ["Skrevet i den andre fanen"]


def test_a_button_pressed_after_the_round_closed_shows_the_comment_to_copy(client, cast, db):
    login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    page = client.get(url).text
    close(client, cast.round_a, cast.manager)
    login(client, cast.staff)
    typed = "Vi har faste samtaler hver uke.\nDet virker."
    data = as_a_browser_sends(page, **{f"c.{area.id}": typed, "goto": "next"})
    data["csrf_token"] = BeautifulSoup(client.get(url).text, "html.parser").select_one(
        "input[name=csrf_token]"
    )["value"]
    response = client.post(url, data=data)
    assert response.status_code == 409
    shown = BeautifulSoup(response.text, "html.parser")
    assert "Runden er lukket" in shown.select_one("[role=alert]").get_text()
    assert shown.get_text().count("Runden er lukket") == 1  # said once, in the alert
    drafts = shown.select_one("#drafts")
    assert not drafts.has_attr("hidden")
    assert drafts.select_one("textarea").get_text() == typed
    assert shown.select_one("form.questionnaire") is None  # read-only: nothing more to lose
    assert db.exec(select(AreaComment)).all() == []


def test_the_comment_says_its_limit_and_a_long_one_is_kept_not_cut(client, cast, db):
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    limit = get_settings().max_comment_length
    page = BeautifulSoup(client.get(url).text, "html.parser")
    textarea = page.select_one(f"textarea[name='c.{area.id}']")
    assert not textarea.has_attr("maxlength")  # the browser would cut a paste without a word
    assert page.select_one("#comment-count")["data-max"] == str(limit)
    assert f"Høyst {limit} tegn." in page.select_one("#comment-count").get_text()
    too_long = "æ" * (limit + 1)
    refused = client.post(url, data={f"c.{area.id}": too_long, "csrf_token": token, "goto": "next"})
    assert refused.status_code == 422
    shown = BeautifulSoup(refused.text, "html.parser")
    assert f"{limit + 1} tegn" in shown.select_one("#save-status").get_text()
    again = shown.select_one(f"textarea[name='c.{area.id}']")
    assert again.get_text() == too_long
    assert again["aria-invalid"] == "true"  # the reason is tied to the field, which has focus
    assert "form-error" in again["aria-describedby"]
    assert again.has_attr("autofocus")
    assert db.exec(select(AreaComment)).all() == []


def test_a_read_only_comment_keeps_its_lines_and_direction(client, cast, db):
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    client.post(url, data={f"c.{area.id}": "Linje én\nسطر دو", "csrf_token": token}, headers=HX)
    close(client, cast.round_a, cast.manager)
    login(client, cast.staff)
    shown = BeautifulSoup(client.get(url).text, "html.parser").select_one(".comment-text")
    assert shown.get_text() == "Linje én\nسطر دو"
    assert shown["dir"] == "auto"


def test_reading_the_page_for_a_new_token_leaves_the_message_for_the_next_page(client, cast, db):
    token = login(client, cast.staff)
    rnd = cast.round_a
    answer_everything(client, db, rnd, token)
    client.post(f"/runder/{rnd.id}/send-inn", data={"csrf_token": token})
    client.post(f"/runder/{rnd.id}/gjenapne", data={"csrf_token": token})  # sets a message
    area = areas(db, rnd)[0]
    url = f"/runder/{rnd.id}/omrade/{area.id}"
    background = client.get(url, headers={BACKGROUND_READ: "1"})
    assert "csrf_token" in background.text  # what autosave.js came for
    assert "åpnet igjen" not in background.text
    assert "åpnet igjen" in client.get(f"/runder/{rnd.id}").text  # where the person goes next
    assert "åpnet igjen" not in client.get(f"/runder/{rnd.id}").text  # and only once


def test_a_comment_saved_in_another_tab_is_not_written_over_by_a_button(client, cast, db):
    """Without JavaScript: the old tab's button shows both texts and saves nothing, not even
    the levels chosen with it; pressed again, it saves what the field then holds."""
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    first = area.statements[0].id
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    old_tab = client.get(url).text  # no comment yet
    saved = "Skrevet i den andre fanen"
    client.post(url, data={f"c.{area.id}": saved, "csrf_token": token}, headers=HX)
    typed = "Skrevet i den gamle fanen"
    data = as_a_browser_sends(old_tab, **{f"c.{area.id}": typed, f"a.{first}": "3"})
    refused = client.post(url, data=data | {"goto": "next"})
    assert refused.status_code == 412
    page = BeautifulSoup(refused.text, "html.parser")
    assert "endret i en annen fane" in page.select_one("[role=alert]").get_text()
    assert page.select_one(f"textarea[name='c.{area.id}']").get_text() == typed
    assert page.select_one(f"#{first}-3").has_attr("checked")  # as chosen, though not saved
    elsewhere = page.select_one("#saved-elsewhere")
    assert not elsewhere.has_attr("hidden")
    assert elsewhere.select_one("textarea").get_text() == saved
    assert db.exec(select(AreaComment.text)).all() == [saved]
    assert db.exec(select(Answer)).all() == []  # written together or not at all

    again = client.post(url, data=as_a_browser_sends(refused.text, goto="next"))
    assert again.status_code == 303
    assert db.exec(select(AreaComment.text)).all() == [typed]
    assert db.exec(select(Answer.level)).all() == [3]


def test_an_autosave_from_an_old_tab_is_refused_with_the_saved_comment(client, cast, db):
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    comment, shown = f"c.{area.id}", f"was.c.{area.id}"

    def autosave(text: str, base: str) -> object:
        data = {comment: text, shown: base, "csrf_token": token}
        return client.post(url, data=data, headers=HX)

    assert autosave("Første <tekst>", "").status_code == 200
    refused = autosave("Fra en fane som ikke har sett den", "")
    assert refused.status_code == 412
    reason = BeautifulSoup(refused.text, "html.parser").select_one(".save-status__error")
    assert reason["data-saved"] == "Første <tekst>"  # what autosave.js shows under the field
    assert "endret i en annen fane" in reason.get_text()
    assert autosave("Oppdatert", "Første <tekst>").status_code == 200
    assert db.exec(select(AreaComment.text)).all() == ["Oppdatert"]


def test_a_comment_sent_again_as_saved_is_reported_saved(client, cast, db):
    """Leaving the field sends the comment again, as the page knows it saved (or with only a
    space more): nothing to write, and the field's status says saved, not «Lagrer …»."""
    token = login(client, cast.staff)
    area = areas(db, cast.round_a)[0]
    url = f"/runder/{cast.round_a.id}/omrade/{area.id}"
    data = {f"c.{area.id}": "Vi møtes hver uke. ", f"was.c.{area.id}": "Vi møtes hver uke."}
    client.post(url, data={f"c.{area.id}": "Vi møtes hver uke.", "csrf_token": token}, headers=HX)
    again = client.post(url, data=data | {"csrf_token": token}, headers=HX)
    assert again.status_code == 200
    status = BeautifulSoup(again.text, "html.parser").select_one(f"#status-comment-{area.id}")
    assert "Lagret kl." in status.get_text()
    assert db.exec(select(AreaComment.text)).all() == ["Vi møtes hver uke."]
