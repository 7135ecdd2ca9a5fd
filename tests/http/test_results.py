"""Results: hidden below the minimum, aggregated only, tailored advice with sources and reasons."""

import re

from bs4 import BeautifulSoup

from app.authz import Actor
from app.content.loader import load_guidance
from app.content.service import guidance_for, store_version
from app.results import service as results
from app.results.snapshot import read_snapshot
from app.rounds.service import guidance_of
from app.settings import get_settings
from tests.conftest import login
from tests.factories import (
    GUIDANCE,
    make_closed_round_at,
    make_closed_round_with,
    make_round,
    submit_answers,
)

HX = {"HX-Request": "true"}


def answer_and_submit(
    client, db, rnd, user, levels: dict[str, int], default: int = 3, comment: str = ""
):
    token = login(client, user)
    guidance = guidance_for(db, rnd.content_version_id)
    for area in guidance.areas:
        data = {f"a.{s.id}": str(levels.get(area.id, default)) for s in area.statements}
        if comment:
            data[f"c.{area.id}"] = comment
        assert (
            client.post(
                f"/runder/{rnd.id}/omrade/{area.id}", data={**data, "csrf_token": token}
            ).status_code
            == 303
        )
    assert client.post(f"/runder/{rnd.id}/send-inn", data={"csrf_token": token}).status_code == 303


def close(client, rnd, manager) -> None:
    token = login(client, manager)
    assert client.post(f"/runder/{rnd.id}/lukk", data={"csrf_token": token}).status_code == 303


def results_page(client, cast, rnd=None) -> BeautifulSoup:
    """The manager closes the round (results exist only from then on) and opens its results."""
    rnd = rnd or cast.round_a
    token = login(client, cast.manager)
    client.post(f"/runder/{rnd.id}/lukk", data={"csrf_token": token})
    response = client.get(f"/runder/{rnd.id}/resultater")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_results_stay_hidden_until_three_have_submitted(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {}, comment="Hemmelig kommentar")
    answer_and_submit(client, db, cast.round_a, cast.staff2, {})
    page = results_page(client, cast)
    assert "minst 3 andre enn deg" in page.get_text()
    assert page.select("table") == []
    assert "Hemmelig kommentar" not in page.get_text()
    # The rule holds where the figures are queried, not only in the template.
    view = read_snapshot(db, cast.round_a.id, cast.manager.id, 3)
    assert view.comments == {}
    assert all(st.score_sum is None and st.answered is None for st in view.statements)


def test_results_show_once_three_have_submitted(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"oppfolging": 1}, default=4)
    page = results_page(client, cast)
    text = page.get_text()
    assert "3 personer" in text
    rows = {
        r.th.get_text(strip=True): [td.get_text(strip=True) for td in r.select("td")]
        for r in page.select("table tbody tr")
        if r.th
    }
    assert rows["Tett og helhetlig oppfølging"][0] == "0"
    assert rows["Tillit mellom deltaker og veileder"][0] == "100"
    priorities = [
        li.select_one(".priority__area").get_text() for li in page.select("ol.priorities > li")
    ]
    assert priorities == ["Tett og helhetlig oppfølging"]
    assert page.select_one("svg[role=img] title") is not None


def test_a_staff_member_only_sees_their_own_results(client, cast, db):
    answer_and_submit(client, db, cast.round_a, cast.staff, {"tillit": 1})
    assert client.get(f"/runder/{cast.round_a.id}/resultater").status_code == 403
    own = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/mine-resultater").text, "html.parser"
    )
    assert "Dine resultater" in own.h1.get_text()
    assert own.select("li.advice")


def test_own_results_show_each_answer_not_a_share_of_one(client, cast, db):
    # A share of «Vet ikke» per statement of one person's answers could only be 0 % or 100 %.
    rnd = cast.round_a
    first, second = [st.id for st in guidance_for(db, rnd.content_version_id).areas[0].statements][
        :2
    ]
    submit_answers(db, rnd, cast.staff, {first: 0, second: 2})
    login(client, cast.staff)
    own = BeautifulSoup(client.get(f"/runder/{rnd.id}/mine-resultater").text, "html.parser")
    table = own.select_one(".statement-details table")
    assert [th.get_text() for th in table.select("thead th")] == ["Påstand", "Poeng"]
    rows = [tr.td.get_text() for tr in table.select("tbody tr")][:2]
    assert rows == ["Vet ikke", "33"]


def test_own_results_wait_until_submitted(client, cast):
    login(client, cast.staff)
    response = client.get(f"/runder/{cast.round_a.id}/mine-resultater")
    assert response.status_code == 409
    assert "når du har sendt inn" in response.text


def test_the_manager_of_another_municipality_gets_404(client, cast):
    login(client, cast.other_manager)
    assert client.get(f"/runder/{cast.round_a.id}/resultater").status_code == 404


def test_every_advice_has_a_source_and_says_why(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"oppfolging": 1}, default=4)
    page = results_page(client, cast)
    advice = page.select("li.advice")
    assert advice
    for item in advice:
        why = item.select_one("details.why")
        assert why
        assert "fikk 0 av 100 poeng" in why.get_text()
        sources = item.select_one("p[data-size=sm]").get_text()
        many = len(re.findall(r", \d{4}\)", sources)) > 1  # each source ends «(publisher, year)»
        assert sources.strip().startswith("Kilder:" if many else "Kilde:")


def test_advice_is_tailored_to_the_answers(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"oppfolging": 1}, default=4)
    low_follow_up = {li["id"] for li in results_page(client, cast).select("li.advice[id]")}
    guidance = guidance_for(db, cast.round_a.content_version_id)
    second = make_round(db, cast.a, name="Neste runde")
    others = {a.id: 1 for a in guidance.areas if a.id != "oppfolging"}
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, second, user, others, default=4)
    reverse = results_page(client, cast, second)
    assert "Tett og helhetlig oppfølging" not in [
        li.select_one(".priority__area").get_text() for li in reverse.select("ol.priorities > li")
    ]
    assert low_follow_up.isdisjoint({li["id"] for li in reverse.select("li.advice[id]")})


def test_disagreement_and_vet_ikke_trigger_their_own_advice(client, cast, db):
    answer_and_submit(
        client, db, cast.round_a, cast.staff, {"tillit": 1, "flerkulturell": 0}, default=4
    )
    answer_and_submit(
        client, db, cast.round_a, cast.staff2, {"tillit": 4, "flerkulturell": 0}, default=4
    )
    answer_and_submit(
        client, db, cast.round_a, cast.staff3, {"tillit": 1, "flerkulturell": 0}, default=4
    )
    text = results_page(client, cast).get_text()
    assert "spriker med" in text
    assert "var «Vet ikke»" in text
    assert re.search(r"\d\u00a0% av svarene", text)  # never broken between number and sign


def test_comments_are_shown_without_names(client, cast, db):
    for user, comment in (
        (cast.staff, "Bra samarbeid"),
        (cast.staff2, "Lite tid"),
        (cast.staff3, "Mangler tolk"),
    ):
        answer_and_submit(client, db, cast.round_a, user, {}, comment=comment)
    page = results_page(client, cast)
    comments = [li.get_text() for li in page.select("li.comment-text")]
    assert {"Bra samarbeid", "Lite tid", "Mangler tolk"} <= set(comments)
    assert "ansatt@a.no" not in page.get_text().replace(cast.manager.email, "")


def test_the_minimum_can_be_raised_but_never_lowered(client, cast, db, monkeypatch):
    for user in (cast.staff, cast.staff2):
        answer_and_submit(client, db, cast.round_a, user, {})
    monkeypatch.setattr(get_settings(), "min_respondents", 1)  # ignored: the content's 3 holds
    assert "minst 3 andre enn deg" in results_page(client, cast).get_text()  # two: hidden
    three = make_closed_round_at(db, cast.a, [cast.staff, cast.staff2, cast.staff3], name="Tre")
    assert "Prioriteringer" in results_page(client, cast, three).get_text()
    monkeypatch.setattr(get_settings(), "min_respondents", 4)
    assert "minst 4 andre enn deg" in results_page(client, cast, three).get_text()


def test_staff_are_told_the_configured_minimum(client, cast, db, monkeypatch):
    """The comment field and one's own results say how many must stand behind what the
    manager reads: the setting, not the content's default of three."""
    monkeypatch.setattr(get_settings(), "min_respondents", 5)
    area = guidance_for(db, cast.round_a.content_version_id).areas[0]
    login(client, cast.staff)
    page = client.get(f"/runder/{cast.round_a.id}/omrade/{area.id}").text
    help_text = BeautifulSoup(page, "html.parser").select_one("#comment-desc").get_text()
    assert "minst 5 andre enn lederen har sendt inn" in help_text
    answer_and_submit(client, db, cast.round_a, cast.staff, {})
    own = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/mine-resultater").text, "html.parser"
    )
    assert "bare tall som minst 5 andre enn lederen står bak" in own.get_text()
    # One's own table has no spread, and its name does not promise one.
    assert own.select_one("table caption").get_text() == "Poeng og andel «Vet ikke» per område"


def test_a_module_is_not_said_to_be_stressed_by_the_study(client, cast, db):
    users = [cast.staff, cast.staff2, cast.staff3]
    rnd = make_closed_round_with(
        db, cast.a, users, {"kartlegging": 1}, default=2, modules="kartlegging"
    )
    page = results_page(client, cast, rnd)
    reasons = {
        li.select_one(".priority__area").get_text(): li.select_one("p.muted").get_text()
        for li in page.select("ol.priorities > li")
    }
    module = guidance_of(db, rnd).area("kartlegging").title.nb
    assert reasons[module] == "Hvorfor: 0 av 100 poeng."
    assert all("studien legger" in r for title, r in reasons.items() if title != module)


def test_the_texts_name_the_contents_own_strength_threshold(client, cast, db):
    """Content is data: a version that counts 60 points as a strength says 60, not 70."""
    guidance = load_guidance(GUIDANCE / "v2")
    meta = guidance.meta.model_copy(update={"strength_at_least": 60, "version": "test-60"})
    version, _ = store_version(db, guidance.model_copy(update={"meta": meta}))
    users = [cast.staff, cast.staff2, cast.staff3]
    rnd = make_closed_round_with(db, cast.a, users, {"tillit": 1}, content_version_id=version.id)
    text = results_page(client, cast, rnd).get_text(" ", strip=True)
    assert "Opptil 3 områder under 60 poeng," in text
    assert "færre enn 3." in text  # one priority: every other area has 67 points
    assert "70 poeng" not in text


def test_the_page_shows_as_many_priorities_as_the_content_asks_for(client, cast, db):
    """`priority_count` is content too: a version with two shows two and says two."""
    guidance = load_guidance(GUIDANCE / "v2")
    meta = guidance.meta.model_copy(update={"priority_count": 2, "version": "test-two"})
    version, _ = store_version(db, guidance.model_copy(update={"meta": meta}))
    users = [cast.staff, cast.staff2, cast.staff3]
    rnd = make_closed_round_with(db, cast.a, users, {}, default=1, content_version_id=version.id)
    page = results_page(client, cast, rnd)
    assert page.select_one("#priorities-heading").get_text() == "Prioriteringer"
    assert len(page.select("ol.priorities > li")) == 2  # every area is weak; two are chosen
    assert "Opptil 2 områder under 70 poeng," in page.get_text(" ", strip=True)
    assert "her er det færre enn" not in page.get_text()


def test_context_rules_use_the_municipality_and_round(client, cast, db):
    # Municipality A is small and the round has 20 participants: size-dependent advice can fire.
    actor = Actor(cast.manager.id, "manager", cast.a.id)
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"arbeidsliv": 1}, default=4)
    close(client, cast.round_a, cast.manager)
    page = results.team_results(db, actor, cast.round_a)
    reasons = [r for item in page.advice for r in item.reasons]
    assert any("størrelsesgruppen «liten" in r for r in reasons)


def test_the_page_leads_with_the_priorities_and_their_top_advice(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {"oppfolging": 1}, default=4)
    page = results_page(client, cast)
    sections = [s["aria-labelledby"] for s in page.select("main section")]
    assert sections[0] == "priorities-heading"
    first = page.select_one("ol.priorities > li")
    assert first.select_one("li.advice")  # the top advice for the priority, right there
    # The rest of the advice is there, folded per area so the page stays short.
    groups = page.select("section.all-advice details.advice-group")
    assert groups
    assert all(not g.has_attr("open") for g in groups)


def test_advice_can_be_read_by_the_phases_of_the_participants_path(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {}, default=1)
    results_page(client, cast)
    by_area = BeautifulSoup(client.get(f"/runder/{cast.round_a.id}/resultater").text, "html.parser")
    by_phase = BeautifulSoup(
        client.get(f"/runder/{cast.round_a.id}/resultater?rad=fase").text, "html.parser"
    )
    headings = [h.get_text(" ", strip=True) for h in by_phase.select("details.advice-group h3")]
    assert headings[0].startswith("Oppstart")
    assert any(h.startswith("Hele løpet") for h in headings)
    ids = lambda p: sorted(li["id"] for li in p.select("section.all-advice li.advice"))  # noqa: E731
    assert ids(by_area) == ids(by_phase)  # the same advice, grouped differently
    assert client.get(f"/runder/{cast.round_a.id}/resultater?rad=tull").status_code == 422


def test_long_area_names_wrap_in_the_chart_and_the_50_line_avoids_them(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {}, default=2)
    token = login(client, cast.manager)
    client.post("/sprak", data={"lang": "en", "csrf_token": token})
    page = results_page(client, cast)
    labels = [t.get_text() for t in page.select("svg .bar-chart__label")]
    assert all(len(label) <= 48 for label in labels)
    assert not any(label.endswith("…") and len(label) < 10 for label in labels)
    texts = {float(t["y"]) for t in page.select("svg .bar-chart__label")}
    for line in page.select("svg line.bar-chart__grid"):
        low, high = float(line["y1"]), float(line["y2"])
        assert not any(low <= y - 4 <= high for y in texts)


def test_strong_everywhere_and_no_advice_does_not_point_to_advice_below(client, cast, db):
    for user in (cast.staff, cast.staff2, cast.staff3):
        answer_and_submit(client, db, cast.round_a, user, {}, default=4)
    page = results_page(client, cast)
    assert page.select("li.advice") == []  # no rule fires when every answer is level 4
    text = page.get_text(" ", strip=True)
    assert "Ingen av rådene slo til" in text
    assert "se rådene nedenfor" not in text
    assert "Velg selv hva dere vil videreutvikle." in text


def test_no_priority_because_no_score_is_not_called_strong(client, cast, db):
    """Where no area has a score to show (too few gave a level), the page does not say every
    area has at least 70 points; where some have none, it says why those are not chosen."""
    users = [cast.staff, cast.staff2, cast.staff3]
    dont_know = make_closed_round_with(db, cast.a, users, {}, default=0, name="Vet ikke")
    text = (
        results_page(client, cast, dont_know).select_one("#priorities-heading").parent.get_text(" ")
    )
    assert "Ingen av områdene har poeng her: for få står bak tallene" in text
    assert "Alle områdene har minst" not in text
    some = make_closed_round_with(db, cast.a, users, {"tillit": 0}, default=4, name="Delvis")
    text = results_page(client, cast, some).select_one("#priorities-heading").parent.get_text(" ")
    assert "områdene med poeng har minst 70, og et område uten poeng" in text
    assert "Alle områdene har minst" not in text


def test_the_manager_sees_which_scores_the_meeting_and_report_will_show(client, cast, db):
    """Three staff answered, the manager did not: the manager's page has three others behind
    each figure, but each of those three reading the report has two. The page says which
    figures the meeting view and the report show, so the leader quotes those."""
    rnd = make_closed_round_with(db, cast.a, [cast.staff, cast.staff2, cast.staff3], default=3)
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}/resultater").text, "html.parser")
    table = area_table(page)
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert "Poeng i møtet og rapporten" in headers
    column = headers.index("Poeng i møtet og rapporten")
    rows = table.select("tbody tr")
    assert rows
    for row in rows:
        cells = [td.get_text(strip=True) for td in row.select("th, td")]
        assert cells[1] != "–"  # the manager's own figure
        assert cells[column] == "–"  # too few for those who answered
    assert "minst 4 stå bak hvert tall" in page.select_one("#shared-scores-note").get_text()


def test_no_second_column_where_every_score_is_the_same_everywhere(client, cast, db):
    rnd = make_closed_round_with(
        db, cast.a, [cast.staff, cast.staff2, cast.staff3, cast.manager], default=3
    )
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}/resultater").text, "html.parser")
    headers = [th.get_text(strip=True) for th in area_table(page).select("thead th")]
    assert "Poeng" in headers
    assert "Poeng i møtet og rapporten" not in headers
    assert page.select_one("#shared-scores-note") is None


def area_table(page: BeautifulSoup):
    """The results page's table of the areas' scores (not the statements' tables)."""
    (table,) = [t for t in page.select("table") if "per område" in t.caption.get_text()]
    return table
