"""The council report of a closed round: the printable page and a tagged PDF whose title,
language and key figures a PDF library reads back."""

import io
import re
from datetime import UTC, datetime

from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests.conftest import csrf_of, four_staff, login
from tests.factories import make_closed_round_with


def closed(db, cast):
    users = four_staff(db, cast)  # a public document: the minimum and one more
    first = make_closed_round_with(
        db,
        cast.a,
        users,
        {"tillit": 2},
        name="Vår 2026",
        closed_at=datetime(2026, 5, 1, tzinfo=UTC),
        folder="v1",
    )
    second = make_closed_round_with(
        db,
        cast.a,
        users,
        {"tillit": 3, "arbeidsliv": 1},
        name="Vår 2027",
        closed_at=datetime(2027, 5, 1, tzinfo=UTC),
    )
    return first, second


def pdf_of(client, rnd) -> PdfReader:
    response = client.get(f"/runder/{rnd.id}/rapport.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def test_the_pdf_is_named_by_the_municipality_and_the_round_in_plain_letters(client, db, cast):
    _, rnd = closed(db, cast)
    rnd.name = "Høst 2027: Ærlig / åpen!"
    db.add(rnd)
    db.commit()
    login(client, cast.manager)
    response = client.get(f"/runder/{rnd.id}/rapport.pdf")
    disposition = response.headers["content-disposition"]
    assert disposition == 'inline; filename="gode-grep-rapport-9991-host-2027-aerlig-apen.pdf"'


def test_the_printable_report_has_every_part(client, db, cast):
    _, rnd = closed(db, cast)
    login(client, cast.manager)
    response = client.get(f"/runder/{rnd.id}/rapport")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.title.get_text() == f"{cast.a.name} – Vår 2027 – Gode grep"  # the name once
    text = soup.get_text(" ", strip=True)
    for part in (
        "Om kartleggingen",
        "Av 5 inviterte svarte 4.",
        "Styrker",
        "Prioriteringer",
        "Råd og kildene de bygger på",
        "Kilde:",
        "Teamets felles vurdering",
        "Handlingsplan",
        "Oppfølging av forrige plan",
        "Utvikling over tid",
        "de siste lukkede rundene (opptil 6)",  # REPORT_ROUNDS
        "minst 4 personer står bak det",  # a public document: the minimum and one more
        "minst 3 andre bak tallet",
    ):
        assert part in text, part
    assert "har tall bare for rundene" not in text  # every area was in both rounds
    # The development in the report stops at this round, with its charts and tables.
    assert len(soup.find_all("svg", class_="trend-chart")) == len(
        soup.find_all("table", class_="trend-table")
    )


def test_the_pdf_is_tagged_with_title_language_and_key_figures(client, db, cast):
    _, rnd = closed(db, cast)
    login(client, cast.manager)
    reader = pdf_of(client, rnd)
    assert reader.metadata.title == "Gode grep – Kommune A – Vår 2027"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nb"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Kommune A" in text
    assert "Laget " in text
    assert f"Side 1 av {len(reader.pages)}" in text
    assert "Arbeidsliv" in text or "arbeidsliv" in text
    # Every page carries the municipality and the round.
    for page in reader.pages:
        assert "Kommune A · Vår 2027" in page.extract_text()
    # Key figures: tillit at level 3 everywhere = 67, arbeidsliv at level 1 = 0.
    assert "67" in text


def test_the_pdf_is_in_the_users_language(client, db, cast):
    _, rnd = closed(db, cast)
    token = login(client, cast.manager)
    client.post("/sprak", data={"lang": "en", "next": "/", "csrf_token": token})
    reader = pdf_of(client, rnd)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "report for the municipal council" in text
    assert "Page 1 of" in text


def test_an_open_round_has_no_report(client, cast):
    login(client, cast.manager)
    response = client.get(f"/runder/{cast.round_a.id}/rapport")
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    assert "når runden er lukket" in page.select_one("[role=alert]").get_text()
    assert page.select_one("#way-back")["href"] == f"/runder/{cast.round_a.id}"  # not a dead end
    assert page.select_one("[role=alert]")["data-color"] == "warning"  # a state, not a fault:
    assert "Feilreferanse" not in page.get_text()  # nothing to quote to support
    assert response.headers["x-request-id"]
    assert client.get(f"/runder/{cast.round_a.id}/rapport.pdf").status_code == 409


def test_another_municipalitys_manager_gets_404(client, db, cast):
    _, rnd = closed(db, cast)
    login(client, cast.other_manager)
    assert client.get(f"/runder/{rnd.id}/rapport.pdf").status_code == 404
    assert csrf_of(client)


def test_the_report_and_the_development_page_show_the_action_plan_and_readings(client, db, cast):
    from datetime import timedelta

    from app.authz import Actor
    from app.meeting.models import AgreedReading
    from app.plan.forms import MeasureForm
    from app.plan.service import create_measure

    first, second = closed(db, cast)
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    due = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()
    create_measure(
        db, manager, first, MeasureForm(title="Faste oppstartsamtaler", owner_text="Nav", due=due)
    )
    create_measure(
        db, manager, second, MeasureForm(title="Tolk i alle samtaler", owner_text="Leder", due=due)
    )
    db.add(
        AgreedReading(
            round_id=second.id, area_id="tillit", level=3, note="Vi er enige om en styrke"
        )
    )
    db.commit()
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{second.id}/rapport").text, "html.parser")
    report = page.get_text()
    assert "Tolk i alle samtaler" in report  # this round's plan
    # Each measure heads its row, so a screen reader names it with its owner, date and status.
    heads = [th.get_text() for th in page.select("table.plan tbody th[scope=row]")]
    assert "Tolk i alle samtaler" in heads
    assert "Faste oppstartsamtaler" in report  # the previous round's plan, followed up
    # each reading under its area's name, in the content's order
    assert "Tillit mellom deltaker og veileder: Felles nivå 3. Vi er enige om en styrke" in report
    # … and what a level of 3 means, which a councillor who never answered cannot know
    assert "fra 1 (det påstandene beskriver, er lite på plass) til 4" in report
    # What the team agreed and planned comes before the pages of advice it was drawn from.
    headings = [h.get_text() for h in page.select("h2")]
    assert headings.index("Teamets felles vurdering") < headings.index("Handlingsplan")
    assert headings.index("Utvikling over tid") < headings.index("Råd og kildene de bygger på")
    development = client.get("/utvikling").text
    assert "Faste oppstartsamtaler" in development


def test_the_pdf_is_made_once_and_made_again_when_the_plan_changes(client, db, cast, monkeypatch):
    """A PDF asked for again comes from the cache; a changed measure gives a new PDF at once."""
    from datetime import timedelta

    from app.authz import Actor
    from app.plan.forms import MeasureForm
    from app.plan.service import create_measure, update_measure
    from app.trend import pdf

    first, second = closed(db, cast)
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    due = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()
    form = MeasureForm(title="Tolk i alle samtaler", owner_text="Leder", due=due)
    measure = create_measure(db, manager, second, form)
    pdf.cache.clear()
    made = []
    real = pdf.make_pdf
    monkeypatch.setattr(pdf, "make_pdf", lambda html: made.append(html) or real(html))
    login(client, cast.manager)

    before = "\n".join(p.extract_text() for p in pdf_of(client, second).pages)
    again = "\n".join(p.extract_text() for p in pdf_of(client, second).pages)
    assert len(made) == 1  # the second time from the cache
    assert again == before
    assert "Planlagt" in before

    changed = MeasureForm(
        title="Tolk i alle samtaler", owner_text="Leder", due=due, status="done", note="Innført"
    )
    update_measure(db, manager, measure, second, changed)
    after = "\n".join(p.extract_text() for p in pdf_of(client, second).pages)
    assert len(made) == 2
    assert "Gjennomført" in after
    assert "Planlagt" not in after

    # Another round's report is its own PDF, never this one from the cache.
    other = "\n".join(p.extract_text() for p in pdf_of(client, first).pages)
    assert len(made) == 3
    assert "Kommune A · Vår 2026" in other
    assert "Tolk i alle samtaler" not in other


def test_the_council_report_names_no_colleague_and_skips_empty_readings(client, db, cast):
    from app.authz import Actor
    from app.meeting.models import AgreedReading
    from app.plan.forms import MeasureForm
    from app.plan.service import create_measure

    _, rnd = closed(db, cast)
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    owned = MeasureForm(title="Faste samtaler", owner=str(cast.staff2.id))
    create_measure(db, manager, rnd, owned)
    create_measure(db, manager, rnd, MeasureForm(title="Uten ansvarlig"))
    db.add(AgreedReading(round_id=rnd.id, area_id="tillit", level=None, note=""))  # saved empty
    db.commit()
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}/rapport").text, "html.parser")
    cells = {
        tr.th.get_text(): tr.select("td")[0].get_text() for tr in page.select("table.plan tbody tr")
    }
    assert cells == {"Faste samtaler": "En ansatt i kommunen", "Uten ansvarlig": "Ikke valgt"}
    assert cast.staff2.email not in page.get_text()  # a public document
    assert "Teamet har ikke skrevet en felles vurdering ennå." in page.get_text()
    assert cast.staff2.email in client.get(f"/runder/{rnd.id}/tiltak").text  # the plan itself


def test_no_priority_where_an_area_has_no_score_is_not_called_strong(client, cast, db):
    """An area no one gave a level to has no score: the report and the meeting say why it
    is not a priority, never that every area has at least 70 points."""
    rnd = make_closed_round_with(db, cast.a, four_staff(db, cast), {"tillit": 0}, default=4)
    login(client, cast.manager)
    for url in (f"/runder/{rnd.id}/rapport", f"/runder/{rnd.id}/mote?steg=1"):
        text = BeautifulSoup(client.get(url).text, "html.parser").get_text(" ")
        assert "områdene med poeng har minst 70, og et område uten poeng" in text, url
        assert "Alle områdene har minst" not in text, url


def test_the_results_lead_to_the_report_and_the_report_to_the_pdf(client, db, cast):
    """A manager finishing the meeting on the results finds the council report from there,
    not only under «Utvikling»; staff get no link to a page they may not open."""
    _, rnd = closed(db, cast)
    login(client, cast.manager)
    results = BeautifulSoup(client.get(f"/runder/{rnd.id}/resultater").text, "html.parser")
    link = results.find("a", href=f"/runder/{rnd.id}/rapport")
    assert link is not None
    assert link.get_text(strip=True) == "Rapport til kommunestyret"
    report = BeautifulSoup(client.get(link["href"]).text, "html.parser")
    assert report.find("a", href=f"/runder/{rnd.id}/rapport.pdf") is not None
    login(client, cast.staff)
    mine = client.get(f"/runder/{rnd.id}/mine-resultater")
    assert mine.status_code == 200
    assert f"/runder/{rnd.id}/rapport" not in mine.text


def test_the_report_says_what_strengths_and_priorities_are_and_how_scores_are_made(
    client, db, cast
):
    """A councillor reads why these areas are the priorities (not simply the lowest), that
    «Vet ikke» has its own column, and that an area new in the later round has no earlier
    figures because it was not asked, not because they are hidden."""
    users = four_staff(db, cast)
    make_closed_round_with(
        db,
        cast.a,
        users,
        {"tillit": 2},
        name="Vår 2026",
        closed_at=datetime(2026, 5, 1, tzinfo=UTC),
    )
    rnd = make_closed_round_with(  # with an optional area the round before did not have
        db,
        cast.a,
        users,
        {"tillit": 3},
        name="Vår 2027",
        closed_at=datetime(2027, 5, 1, tzinfo=UTC),
        modules="kartlegging",
    )
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}/rapport").text, "html.parser")
    text = " ".join(page.get_text(" ").split())
    assert "Opptil 3 områder under 70 poeng: de som ligger lengst fra 100" in text
    assert "«Vet ikke» teller ikke med i poengene, men andelen vises i egen kolonne" in text
    assert "En påstand som for få står bak, er holdt utenfor områdets poeng." in text
    assert "som vises" not in page.select_one("p.method").get_text()  # the report shows none
    assert "har tall bare for rundene det var med i" in text
    # The development's introduction goes with its first chart: a page break never leaves
    # the heading and the introduction alone at the foot of a page.
    first = page.select_one("div.report-trend")
    assert "Poeng per område i de siste lukkede rundene" in first.p.get_text()
    assert first.find("svg", class_="trend-chart") is not None


def test_no_table_row_is_split_over_two_pages_in_the_pdf():
    """A measure's name stays on the page of its owner, due date and status (WeasyPrint put
    a two-line name on the next page and left the rest of its row behind)."""
    from pypdf import PdfReader

    from app.trend.pdf import make_pdf
    from app.trend.report import report_css

    filler = "<p>" + "Tekst som fyller siden. " * 40 + "</p>"
    rows = "".join(
        f"<tr><th scope='row'>Tiltak nummer {i} med et navn over to linjer i tabellen</th>"
        f"<td>Ansvarlig {i}</td><td>12.02.2026</td><td>Planlagt</td></tr>"
        for i in range(40)
    )
    html = (
        f"<!doctype html><html lang='nb'><head><title>T</title><style>{report_css()}</style>"
        f"</head><body class='pdf'><main><div class='report'>{filler * 3}"
        "<table class='report-table plan'><thead><tr><th scope='col'>Tiltak</th>"
        "<th scope='col'>Ansvarlig</th><th scope='col'>Frist</th><th scope='col'>Status</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div></main></body></html>"
    )
    reader = PdfReader(io.BytesIO(make_pdf(html)))
    assert len(reader.pages) > 1
    for page in reader.pages:
        text = page.extract_text()
        for i in range(40):
            if f"Ansvarlig {i}\n" in text or f"Ansvarlig {i} " in text:
                assert f"Tiltak nummer {i} " in text, (i, text)


def test_a_measure_past_its_due_date_says_so_in_the_report(client, db, cast):
    """The council sees which measures are late, as the plan page shows it, in this round's
    plan and in the follow-up of the previous one; done measures never are late."""
    from datetime import timedelta

    from app.authz import Actor
    from app.clock import oslo_today
    from app.plan.forms import MeasureForm
    from app.plan.models import Measure as PlanMeasure
    from app.plan.service import create_measure

    first, second = closed(db, cast)
    manager = Actor(cast.manager.id, "manager", cast.a.id, cast.manager.email)
    soon = (oslo_today() + timedelta(days=20)).isoformat()
    made = [
        create_measure(db, manager, rnd, MeasureForm(title=title, owner_text="Leder", due=soon))
        for rnd, title in (
            (first, "Faste oppstartsamtaler"),
            (second, "Tolk i alle samtaler"),
            (second, "Ny praksisrutine"),
            (second, "Felles mal"),
        )
    ]
    for measure in made[:2]:  # deadlines that have since passed (a form refuses a past one)
        stored = db.get(PlanMeasure, measure.id)
        stored.due = oslo_today() - timedelta(days=1)
        db.add(stored)
    done = db.get(PlanMeasure, made[3].id)
    done.due, done.status = oslo_today() - timedelta(days=1), "done"
    db.add(done)
    db.commit()
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{second.id}/rapport").text, "html.parser")
    status = {
        tr.th.get_text(): tr.select("td")[2].get_text() for tr in page.select("table.plan tbody tr")
    }
    assert status["Tolk i alle samtaler"] == "PlanlagtFristen er passert"
    assert status["Ny praksisrutine"] == "Planlagt"  # not yet due
    assert status["Felles mal"] == "Gjennomført"  # done in time or not: not late
    follow_up = page.find("h2", string="Oppfølging av forrige plan").find_next("ul").get_text()
    assert "Faste oppstartsamtaler: Planlagt (fristen er passert)" in follow_up
    # On a phone the plan scrolls in its own labelled region instead of breaking its dates.
    region = page.select_one("table.plan").parent
    assert region["role"] == "region"
    assert region["tabindex"] == "0"
    assert page.find(id=region["aria-labelledby"]).name == "caption"
    text = " ".join(" ".join(p.extract_text() for p in pdf_of(client, second).pages).split())
    assert "Fristen er passert" in text


def test_the_advice_names_its_area_once_and_points_to_each_source_by_number(client, db, cast):
    """A source cited by several pieces of advice is printed once, in a numbered list at the
    end, not in full (title, publisher, long address) under each of them; and an area's name
    heads its advice once instead of following every title."""
    _, rnd = closed(db, cast)
    login(client, cast.manager)
    page = BeautifulSoup(client.get(f"/runder/{rnd.id}/rapport").text, "html.parser")
    sources = [li.get_text(" ", strip=True) for li in page.select("ol.report-sources li")]
    assert sources
    assert all(source.startswith(f"[{n}] ") for n, source in enumerate(sources, start=1))
    cited = [re.findall(r"\[\d+\]", p.get_text()) for p in page.select(".report-advice p.source")]
    assert {ref for refs in cited for ref in refs} == {f"[{n}]" for n in range(1, len(sources) + 1)}
    # A source several pieces of advice rest on: its title and address stand there once.
    shared = next(n for n in range(1, len(sources) + 1) if sum(f"[{n}]" in r for r in cited) > 1)
    title_and_address = sources[shared - 1].split("] ", 1)[1]
    assert page.get_text(" ", strip=True).count(title_and_address) == 1
    # The advice under its areas' names, each once, and no area after an advice's title.
    areas = [th.get_text() for th in page.select("table.report-table:not(.plan) tbody th")]
    groups = [h.get_text() for h in page.select(".report-advice h3")]
    assert len(groups) == len(set(groups)) > 1
    assert set(groups) <= set(areas)
    titles = " ".join(h.get_text() for h in page.select(".report-advice h4"))
    assert titles
    assert not any(area in titles for area in areas)
