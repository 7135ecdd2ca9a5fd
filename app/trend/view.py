"""What the development page and the report show: the development, its charts, and the peer
medians beside the municipality's latest scores."""

from dataclasses import dataclass

from sqlmodel import Session

from app.authz import Actor
from app.rounds.models import Round
from app.trend.chart import LineChart, line_chart
from app.trend.peers import PeerArea, Peers, peer_medians
from app.trend.service import AreaTrend, Development, Point, development


@dataclass(frozen=True)
class PeerRow:
    area: AreaTrend
    own: Point | None  # the area in the latest round
    peers: PeerArea | None


@dataclass(frozen=True)
class DevelopmentPage:
    development: Development
    charts: dict[str, LineChart]  # "area:<id>" and "statement:<id>"
    peers: Peers | None
    peer_rows: tuple[PeerRow, ...]


def development_page(
    session: Session,
    actor: Actor,
    until: Round | None = None,
    *,
    last: int | None = None,
    statement_charts: bool = True,
    peers: bool = True,
    shared: bool = False,
) -> DevelopmentPage:
    """The development over the closed rounds (the `last` ones up to `until`), its charts
    (per statement too, unless not wanted) and the peer medians (unless not wanted: the
    council report shows none, and they are half its database time). `shared`: for what
    others read too (see results.service.team_results)."""
    dev = development(session, actor, until, last, shared)
    charts: dict[str, LineChart] = {}
    for i, trend in enumerate(dev.areas):
        own_measures = tuple(m for m in dev.measures if m.area_id == trend.area.id)
        charts[f"area:{trend.area.id}"] = line_chart(
            f"a{i}", trend.series, dev.rounds, own_measures
        )
        for j, st in enumerate(trend.statements if statement_charts else ()):
            charts[f"statement:{st.key}"] = line_chart(f"a{i}s{j}", st, dev.rounds, ())
    if not dev.rounds or not peers:
        return DevelopmentPage(dev, charts, None, ())
    medians = peer_medians(session, dev.municipality)
    latest = dev.rounds[-1].round.id
    rows = tuple(
        PeerRow(
            trend,
            next((p for p in trend.series.points if p.round_id == latest), None),
            medians.areas.get(trend.area.id),
        )
        for trend in dev.areas
    )
    return DevelopmentPage(dev, charts, medians, rows)
