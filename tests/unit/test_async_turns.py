"""Saves on the event loop wait for one of its PostgreSQL connections in the order they came
(app.db.async_turns). The pool's own queue hands a returned connection to whichever save asks
next, and at saturation a few saves waited seconds while the rest went first."""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import create_engine

from app.db import ASYNC_POOL_SIZE, async_turns

T = TypeVar("T")


def on_a_loop_of_its_own(main: Callable[[], Awaitable[T]]) -> T:
    """Run `main` in a new event loop, in a thread of its own: the browser tests leave
    Playwright's loop running in the main thread."""

    async def run() -> T:
        return await main()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


def test_a_save_that_arrives_as_a_connection_comes_back_waits_behind_those_already_waiting():
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects
    served: list[str] = []

    async def save(name: str, hold: asyncio.Event) -> None:
        async with async_turns(engine):
            served.append(name)
            await hold.wait()

    async def saturated() -> None:
        holds = [asyncio.Event() for _ in range(ASYNC_POOL_SIZE)]
        busy = [asyncio.create_task(save(f"busy {i}", hold)) for i, hold in enumerate(holds)]
        go = asyncio.Event()
        go.set()
        waiting = asyncio.create_task(save("waiting", go))
        await asyncio.sleep(0)  # every connection in use, one save waiting
        holds[0].set()  # a save finishes ...
        newcomer = asyncio.create_task(save("newcomer", go))  # ... as another arrives
        await asyncio.sleep(0.01)
        for hold in holds:
            hold.set()
        await asyncio.gather(*busy, waiting, newcomer)

    on_a_loop_of_its_own(saturated)
    assert served[ASYNC_POOL_SIZE:] == ["waiting", "newcomer"]


def test_the_turns_are_one_queue_per_event_loop():
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")

    async def twice() -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        return async_turns(engine), async_turns(engine)

    first, again = on_a_loop_of_its_own(twice)
    assert first is again  # every save of a process waits in the same queue
    assert on_a_loop_of_its_own(twice)[0] is not first  # a loop's own (a test client's)
