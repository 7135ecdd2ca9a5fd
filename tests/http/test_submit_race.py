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
from tests.conftest import drop_postgres_database, login, postgres_database
from tests.http.test_answering import answer_everything
from tests.live import prepare


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


def test_a_save_read_before_a_submit_changes_nothing_after_it(client, cast, db):
    token = login(client, cast.staff)
    rnd = cast.round_a
    answer_everything(client, db, rnd, token, level="3")
    response = db.exec(select(Response).where(Response.user_id == cast.staff.id)).one()
    actor = Actor(cast.staff.id, "staff", cast.a.id, cast.staff.email)
    stale = read_before_submit(actor, rnd, response)
    submitted = client.post(f"/runder/{rnd.id}/send-inn", data={"csrf_token": token})
    assert submitted.status_code == 303

    area = guidance_for(db, rnd.content_version_id).areas[0]
    late = AnswerForm(answers={area.statements[0].id: 1}, comments={area.id: "for sent"})
    with pytest.raises(Conflict, match="Åpne det igjen"):
        service.autosave(db, stale, late)

    levels = db.exec(select(Answer.level).where(Answer.response_id == response.id)).all()
    assert set(levels) == {3}
    assert db.exec(select(AreaComment)).all() == []


@pytest.mark.postgres
def test_a_submit_waits_for_a_save_in_progress_on_postgresql():
    url, admin = postgres_database()
    prepare(url)
    engine = make_engine(url)
    try:
        with Session(engine) as setup:
            rnd = setup.exec(select(Round)).first()
            assert rnd is not None
            user = setup.exec(select(User).where(User.email == "ansatt1@demo.kommune.no")).one()
            actor = Actor(user.id, user.role, user.municipality_id, user.email)
            response = service.own_response(setup, actor, rnd)
            found = read_before_submit(actor, rnd, response)
        statement = guidance_for(setup, rnd.content_version_id).areas[0].statements[0].id

        saving, submitting = Session(engine), Session(engine)
        held = []
        saving.commit = lambda: held.append(True)  # type: ignore[method-assign]
        service.autosave(saving, found, AnswerForm(answers={statement: 2}))
        assert held, "the save got as far as its commit"
        # The save has not committed: a submit's update of the response must wait for it.
        submit = text("UPDATE response SET submitted_at = now() WHERE id = :id")
        waiting = submitting.connection()
        waiting.execute(text("SET lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            waiting.execute(submit, {"id": response.id})
        submitting.rollback()
        saving.connection().commit()
        submitting.connection().execute(submit, {"id": response.id})  # free once saved
        submitting.commit()
        saving.close()
        submitting.close()
    finally:
        engine.dispose()
        drop_postgres_database(url, admin)
