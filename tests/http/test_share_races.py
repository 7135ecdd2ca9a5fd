"""Two recomputations of KS's stored figures at once (two administrators changing managers,
or the deploy's refresh beside one): both finish, and the figures are there once. On
PostgreSQL the second used to insert the keys the first had just written."""

import threading
import time

import pytest
from sqlmodel import Session, select

from app.db import make_engine
from app.review.models import SharedArea
from app.review.refresh import refresh_figures
from tests.conftest import fresh_database
from tests.live import prepare


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request):
    with fresh_database(request.param) as made:
        prepare(made)  # the demo: several municipalities have shared a round with KS
        yield made


def test_two_refreshes_at_once_both_finish_with_the_figures_once(url):
    engine = make_engine(url)
    failures: list[BaseException] = []
    with Session(engine) as first:
        assert refresh_figures(first) > 0  # holds what it wrote until it commits

        def second() -> None:
            try:
                with Session(engine) as session:
                    refresh_figures(session)
                    session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second is waiting for the first's shares (or write lock)
        first.commit()
        other.join(timeout=60)
    assert not other.is_alive()
    assert failures == []
    with Session(engine) as session:
        rows = session.exec(select(SharedArea.share_id, SharedArea.area_id)).all()
        assert rows
        assert len(rows) == len(set(rows))
    engine.dispose()
