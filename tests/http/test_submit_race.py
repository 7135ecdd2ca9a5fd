"""An autosave in flight when the same person submits (another tab, another app process).

The autosave reads the response (`hotpath.find`) before it writes. A submit that commits in
between must not be followed by answers that change what was submitted: the write itself
checks that the response is not submitted, and on PostgreSQL it holds the response until it
commits, so a submit waits for the save and then counts it.
"""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.accounts.models import User
from app.authz import Actor
from app.content.service import guidance_for
from app.db import make_engine
from app.errors import Conflict
from app.rounds import service
from app.rounds.forms import AnswerForm
from app.rounds.hotpath import Found
from app.rounds.models import Answer, AreaComment, Response, Round
from tests.conftest import login
from tests.http.test_answering import answer_everything
from tests.live import demo_round, prepare


def read_before_submit(actor: Actor, rnd: Round, response: Response) -> Found:
    """What the autosave's query read while the response was not yet submitted."""
    assert rnd.id is not None
    return Found(
        actor=actor,
        round_id=rnd.id,
        municipality_id=rnd.municipality_id,
        status=rnd.status,
        content_version_id=rnd.content_version_id,
        modules=tuple(rnd.modules.split()),
        response_id=response.id,
        submitted=False,
        answered=frozenset(),
    )


LATE = {
    "an answer": lambda area: AnswerForm(answers={area.statements[0].id: 1}),
    "a comment": lambda area: AnswerForm(comments={area.id: "for sent"}),
    "both": lambda area: AnswerForm(
        answers={area.statements[0].id: 1}, comments={area.id: "for sent"}
    ),
}


@pytest.mark.parametrize("late", LATE.values(), ids=LATE.keys())
def test_a_save_read_before_a_submit_changes_nothing_after_it(client, cast, db, late):
    token = login(client, cast.staff)
    rnd = cast.round_a
    answer_everything(client, db, rnd, token, level="3")
    response = db.exec(select(Response).where(Response.user_id == cast.staff.id)).one()
    actor = Actor(cast.staff.id, "staff", cast.a.id, cast.staff.email)
    stale = read_before_submit(actor, rnd, response)
    submitted = client.post(f"/runder/{rnd.id}/send-inn", data={"csrf_token": token})
    assert submitted.status_code == 303

    area = guidance_for(db, rnd.content_version_id).areas[0]
    with pytest.raises(Conflict, match="Åpne det igjen"):
        service.autosave(db, stale, late(area))

    mine = Answer.response_id == response.id
    assert set(db.exec(select(Answer.level).where(mine)).all()) == {3}
    assert db.exec(select(AreaComment).where(AreaComment.response_id == response.id)).all() == []


@pytest.mark.postgres
def test_a_submit_waits_for_a_save_in_progress_on_postgresql(monkeypatch, postgres_url):
    url = postgres_url
    prepare(url)
    round_id, _area, statements = demo_round(url)
    engine = make_engine(url)
    try:
        with Session(engine) as setup:
            rnd = setup.get(Round, round_id)
            assert rnd is not None
            user = setup.exec(select(User).where(User.email == "ansatt1@demo.kommune.no")).one()
            actor = Actor(user.id, user.role, user.municipality_id, user.email)
            found = read_before_submit(actor, rnd, service.own_response(setup, actor, rnd))
        assert found.response_id is not None
        submit = text("UPDATE response SET submitted_at = now() WHERE id = :id")

        with Session(engine) as saving, Session(engine) as submitting:
            commit = saving.commit
            monkeypatch.setattr(saving, "commit", lambda: None)  # the save, stopped at its commit
            service.autosave(saving, found, AnswerForm(answers={statements[0]: 2}))
            waiting = submitting.connection()
            waiting.execute(text("SET lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                waiting.execute(submit, {"id": found.response_id})
            submitting.rollback()
            commit()
            submitting.connection().execute(submit, {"id": found.response_id})  # free now
            submitting.commit()
    finally:
        engine.dispose()
