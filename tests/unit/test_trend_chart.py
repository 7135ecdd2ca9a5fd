"""The development charts: figures as in the tables, gaps for hidden figures, dashed lines
into points that are not directly comparable, and measures placed between their rounds."""

from datetime import UTC, date, datetime

from app.rounds.models import Round
from app.trend.chart import figure, line_chart
from app.trend.measures import Measure
from app.trend.service import Point, RoundInfo, Series


def info(round_id: int, month: int) -> RoundInfo:
    closed = datetime(2026, month, 1, tzinfo=UTC)
    rnd = Round(
        id=round_id, municipality_id=1, name=f"R{round_id}", content_version_id=1, closed_at=closed
    )
    return RoundInfo(rnd, "2026.1", True)


ROUNDS = (info(1, 1), info(2, 5), info(3, 9))


def series(*scores: float | None, comparable=(True, True, True)) -> Series:
    points = tuple(
        Point(i + 1, f"R{i + 1}", s, None, c, "")
        for i, (s, c) in enumerate(zip(scores, comparable, strict=True))
    )
    return Series("tillit", "Tillit", points)


def test_the_labels_are_the_tables_figures_and_a_hidden_one_breaks_the_line():
    chart = line_chart("c", series(33.3, None, 66.7), ROUNDS, ())
    assert [d.label for d in chart.dots] == [figure(33.3), figure(66.7)] == ["33", "67"]
    assert chart.segments == ()  # no line across the hidden round


def test_a_point_that_is_not_comparable_is_hollow_and_dashed():
    chart = line_chart("c", series(20, 40, 60, comparable=(True, True, False)), ROUNDS, ())
    assert [d.comparable for d in chart.dots] == [True, True, False]
    assert [s.dashed for s in chart.segments] == [False, True]
    assert "ikke direkte" not in chart.desc  # the note text comes from the point itself


def test_a_measure_is_marked_between_the_rounds_it_was_done_between():
    done = Measure(1, "Faste samtaler", "tillit", "Leder", None, "done", date(2026, 3, 1))
    never = Measure(1, "Ikke gjort", "tillit", "Leder", None, "planned", None)
    chart = line_chart("c", series(20, 40, 60), ROUNDS, (done, never))
    (mark,) = chart.marks
    x1, x2 = chart.dots[0].x, chart.dots[1].x
    assert x1 < mark.x < x2
    assert mark.label == "Faste samtaler"


def test_round_names_under_the_axis_never_overlap_and_keep_the_first_and_last():
    from app.trend.chart import _extent

    names = ["Vår 2024", "Høst 2024", "Vår 2025", "Høst 2025", "Vår 2026", "Rådsrunde desember"]
    rounds = tuple(
        RoundInfo(Round(id=i + 1, municipality_id=1, name=n, content_version_id=1,
                        closed_at=datetime(2024, 1, 1, tzinfo=UTC)), "2026.1", True)
        for i, n in enumerate(names)
    )  # fmt: skip
    for count in range(1, len(rounds) + 1):
        ticks = line_chart("c", series(*[50] * count, comparable=(True,) * count),
                           rounds[:count], ()).rounds  # fmt: skip
        spans = [_extent(t) for t in ticks]
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False)), count
        assert ticks[-1].label.startswith(names[count - 1][:10])  # the latest round is named
        assert ticks[0].label == names[0]
        assert all(left >= 0 and right <= 560 for left, right in spans)
