"""The action plan of a closed round: measures the manager keeps and the whole staff reads."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.audit import record
from app.authz import Action, Actor, Decision, can, require
from app.clock import oslo_today
from app.content.schema import Area, Guidance
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _, current_locale, pgettext
from app.plan.forms import MeasureForm, MeasureInput, parse_measure
from app.plan.models import Measure, MeasureStatement, MeasureStatus, is_overdue
from app.results.service import ResultsPage, team_results
from app.results.snapshot import shared_minimum
from app.rounds.models import Round, RoundStatus
from app.rounds.pii import contains_national_id
from app.rounds.respondents import possible_respondents
from app.rounds.service import guidance_of


def status_name(status: str) -> str:
    return {
        MeasureStatus.PLANNED: _("Planlagt"),
        MeasureStatus.IN_PROGRESS: _("Pågår"),
        MeasureStatus.DONE: _("Gjennomført"),
        MeasureStatus.DROPPED: _("Droppet"),
    }.get(MeasureStatus(status), status)


@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    owner: str  # the owner's e-mail or the free text
    statements: tuple[tuple[str, str], ...]  # (statement id, text in the current locale)
    overdue: bool  # its due date has passed while it is still to be done

    @property
    def status(self) -> str:
        return status_name(self.measure.status)

    @property
    def statement_texts(self) -> list[str]:
        return [text for _id, text in self.statements]


@dataclass(frozen=True)
class PlanPage:
    round: Round
    closed: bool
    can_edit: bool
    measures: tuple[MeasureView, ...]
    # For the editor only: whether the results page shows its figures (enough answered),
    # whether they gave any advice, and whether any of it may become a measure (`plannable`).
    results_shown: bool = False
    has_advice: bool = False
    has_plannable: bool = False
    shared_minimum: int = 0  # behind a figure in what others read too, the plan among it


@dataclass(frozen=True)
class MeasureEditor:
    """The form to make or change a measure, with what may be chosen in it."""

    round: Round
    form: MeasureForm
    measure_id: int | None
    owners: tuple[User, ...]
    areas: tuple[Area, ...]
    error: str | None = None
    error_field: str | None = None  # the form field the error is about: "title", "note", …

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return [(s.value, status_name(s)) for s in MeasureStatus]


def get_measure(
    session: Session, actor: Actor, measure_id: int, action: Action
) -> tuple[Measure, Round]:
    """The measure and its round, if the actor may take the action (404 for others)."""
    measure = session.get(Measure, measure_id)
    rnd = session.get(Round, measure.round_id) if measure else None
    require(actor, action, rnd.municipality_id if rnd else None)
    assert measure is not None
    assert rnd is not None
    return measure, rnd


def plan_page(session: Session, actor: Actor, rnd: Round) -> PlanPage:
    """The round's measures; everyone in the municipality reads them, the manager edits."""
    require(actor, Action.VIEW_PLAN, rnd.municipality_id)
    editor = can(actor, Action.EDIT_PLAN, rnd.municipality_id) is Decision.ALLOW
    closed = rnd.status == RoundStatus.CLOSED
    assert rnd.id is not None
    measures = measures_of(session, rnd.id, guidance_of(session, rnd))
    if not (editor and closed):
        return PlanPage(rnd, closed, False, measures)
    results = team_results(session, actor, rnd)
    plannable = plannable_advice(session, actor, rnd)
    return PlanPage(
        rnd,
        closed,
        True,
        measures,
        results.visible,
        bool(results.advice),
        bool(plannable),
        shared_minimum(results.needed),
    )


def plannable_advice(session: Session, actor: Actor, rnd: Round) -> frozenset[str]:
    """The advice a measure may be made from: what fires on the figures as any of those who
    answered may see them (`results.service.readers_of`). The plan is read by the whole staff,
    KS and the council (the report, the exports): a measure carrying advice that fired on a
    figure only the manager may see would tell those who answered what too few others gave
    (two others' levels, where three answered and one of them reads the plan)."""
    if rnd.status != RoundStatus.CLOSED:
        return frozenset()
    return plannable_from(team_results(session, actor, rnd, shared=True))


def plannable_from(shared: ResultsPage) -> frozenset[str]:
    """`plannable_advice` from a closed round's results as read with `shared=True`, for a
    page that has them already."""
    return frozenset(item.id for item in shared.advice)


def measures_of(
    session: Session, round_id: int, guidance: Guidance, owners: bool = True
) -> tuple[MeasureView, ...]:
    """The measures of a round in the order they were made, with owner and statement texts.
    With owners=False (KS's view) no staff member's address is read: `owner` is then only the
    free text, and "" for a user."""
    loc = current_locale()
    texts = {s.id: s.text[loc] for a in guidance.areas for s in a.statements}
    measures = session.exec(
        select(Measure).where(Measure.round_id == round_id).order_by(col(Measure.id))
    ).all()
    ids = [m.id for m in measures]
    links: dict[int, list[str]] = {}
    for link in session.exec(
        select(MeasureStatement).where(col(MeasureStatement.measure_id).in_(ids))
    ):
        links.setdefault(link.measure_id, []).append(link.statement_id)
    users = [m.owner_user_id for m in measures if m.owner_user_id]
    emails = _owner_emails(session, users) if owners else {}
    order = list(texts)
    today = oslo_today()
    return tuple(
        MeasureView(
            measure=m,
            owner=emails.get(m.owner_user_id, "") if m.owner_user_id else m.owner_text,
            statements=tuple(
                (sid, texts.get(sid, sid))
                for sid in sorted(links.get(m.id or 0, []), key=lambda s: _index(order, s))
            ),
            overdue=is_overdue(m.due, m.status, today),
        )
        for m in measures
    )


def _index(order: list[str], item: str) -> int:
    return order.index(item) if item in order else len(order)


def _owner_emails(session: Session, ids: Sequence[int]) -> dict[int | None, str]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.email).where(col(User.id).in_(ids)))
    return dict(rows.all())


def editor(
    session: Session,
    actor: Actor,
    rnd: Round,
    form: MeasureForm,
    measure_id: int | None = None,
    error: InvalidInput | None = None,
) -> MeasureEditor:
    """The measure form for a closed round, filled with `form`, with the reason it was
    refused, if it was."""
    require(actor, Action.EDIT_PLAN, rnd.municipality_id)
    _check_closed(rnd)
    owners = tuple(possible_respondents(session, rnd.municipality_id))
    areas = guidance_of(session, rnd).areas
    message, field = (error.message, error.field) if error else (None, None)
    return MeasureEditor(rnd, form, measure_id, owners, areas, message, field)


def draft_from_advice(session: Session, actor: Actor, rnd: Round, advice_id: str) -> MeasureForm:
    """A new measure prefilled from a piece of advice this round's results gave: its title
    and the statements it concerns."""
    require(actor, Action.EDIT_PLAN, rnd.municipality_id)
    _check_closed(rnd)
    page = team_results(session, actor, rnd, shared=True)  # the plan is read by all: see above
    item = next((a for a in page.advice if a.id == advice_id), None)
    if item is None:
        raise NotFound(_("Rådet finnes ikke i resultatene for denne runden."))
    guidance = guidance_of(session, rnd)
    return MeasureForm(
        title=item.title[current_locale()],
        statements=advice_statements(guidance, advice_id),
        advice_id=advice_id,
    )


def advice_statements(guidance: Guidance, advice_id: str) -> tuple[str, ...]:
    """The statements a piece of advice concerns: those its conditions name, else every
    statement of its area, else none (advice about the whole round)."""
    rule = next((r for r in guidance.rules if r.id == advice_id), None)
    if rule is None:
        return ()
    named = tuple(dict.fromkeys(c.statement for c in rule.when if c.statement))
    if named:
        return named
    if rule.area:
        return tuple(s.id for s in guidance.area(rule.area).statements)
    return ()


def create_measure(session: Session, actor: Actor, rnd: Round, form: MeasureForm) -> Measure:
    """Add a measure to a closed round's plan; every field is checked before anything is saved."""
    require(actor, Action.EDIT_PLAN, rnd.municipality_id)
    _check_closed(rnd)
    values = _checked(session, rnd, form, None)
    assert rnd.id is not None
    measure = Measure(round_id=rnd.id, title=values.title)
    _apply(measure, values)
    session.add(measure)
    session.flush()
    _link(session, measure, values.statements)
    _audit(session, actor, rnd, measure, "measure_created")
    session.commit()
    return measure


def update_measure(
    session: Session, actor: Actor, measure: Measure, rnd: Round, form: MeasureForm
) -> Measure:
    """Change a measure (its status and note too); all checks pass before anything is saved."""
    require(actor, Action.EDIT_PLAN, rnd.municipality_id)
    _check_closed(rnd)
    values = _checked(session, rnd, form, measure)
    _apply(measure, values)
    measure.updated_at = datetime.now(UTC)
    session.add(measure)
    session.execute(delete(MeasureStatement).where(col(MeasureStatement.measure_id) == measure.id))
    _link(session, measure, values.statements)
    _audit(session, actor, rnd, measure, "measure_updated")
    session.commit()
    return measure


def _checked(session: Session, rnd: Round, form: MeasureForm, old: Measure | None) -> MeasureInput:
    values = parse_measure(form)
    texts = {"title": values.title, "owner_text": values.owner_text, "note": values.note}
    limits = {"title": 200, "owner_text": 100, "note": 1000}
    for field, text in texts.items():
        if len(text) > limits[field]:
            raise InvalidInput(
                _(
                    "Teksten er for lang: høyst 200 tegn for tiltaket, 100 for ansvarlig og 1000 for notatet."
                ),
                field=field,
            )
    for field, text in texts.items():
        if contains_national_id(text):
            raise InvalidInput(
                _(
                    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. Vi lagrer ikke personopplysninger om deltakere. Fjern nummeret og prøv igjen."
                ),
                field=field,
            )
    today = oslo_today()
    if values.due is not None and values.due < today and (old is None or old.due != values.due):
        raise InvalidInput(pgettext("tiltak", "Fristen må være i dag eller senere."), field="due")
    staff = {u.id for u in possible_respondents(session, rnd.municipality_id)}
    if values.owner_user_id is not None and values.owner_user_id not in staff:
        raise InvalidInput(_("Velg en ansvarlig blant de ansatte i kommunen."), field="owner")
    guidance = guidance_of(session, rnd)
    known = guidance.statement_area()
    unknown = [s for s in values.statements if s not in known]
    if unknown:
        raise InvalidInput(
            _("Påstanden finnes ikke i denne runden: %(id)s") % {"id": unknown[0][:80]}
        )
    if values.advice_id is not None and values.advice_id not in {r.id for r in guidance.rules}:
        raise InvalidInput(_("Rådet finnes ikke i resultatene for denne runden."))
    return values


def _apply(measure: Measure, values: MeasureInput) -> None:
    measure.title = values.title
    measure.owner_user_id = values.owner_user_id
    measure.owner_text = values.owner_text
    measure.due = values.due
    measure.status = values.status
    measure.note = values.note
    measure.advice_id = values.advice_id


def _link(session: Session, measure: Measure, statements: tuple[str, ...]) -> None:
    assert measure.id is not None
    for statement_id in statements:
        session.add(MeasureStatement(measure_id=measure.id, statement_id=statement_id))


def _audit(session: Session, actor: Actor, rnd: Round, measure: Measure, event: str) -> None:
    record(
        session,
        actor,
        event,
        f"measure {measure.id} (round {rnd.id}): {measure.title}",
        municipality_id=rnd.municipality_id,
        status=measure.status,
        due=measure.due,
        owner_user_id=measure.owner_user_id,
    )


def _check_closed(rnd: Round) -> None:
    if rnd.status != RoundStatus.CLOSED:
        raise Conflict(_("Handlingsplanen lages når runden er lukket og resultatene er klare."))


def form_of(measure: Measure, statements: Sequence[str]) -> MeasureForm:
    """A stored measure as the form shows it."""
    return MeasureForm(
        title=measure.title,
        owner=str(measure.owner_user_id) if measure.owner_user_id else "",
        owner_text=measure.owner_text,
        due=measure.due.isoformat() if measure.due else "",
        status=measure.status,
        note=measure.note,
        statements=tuple(statements),
        advice_id=measure.advice_id or "",
    )


def linked_statements(session: Session, measure: Measure) -> list[str]:
    query = select(MeasureStatement.statement_id).where(MeasureStatement.measure_id == measure.id)
    return list(session.exec(query))
