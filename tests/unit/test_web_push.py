"""The live push's looks (bot/web/push.py): each new inbox row of a tab open here goes once;
a row whose id was taken before a higher one but committed after it is still found, as long
as it commits within LAG; rows of learners with no tab here wait for their next visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from bot.storage.web_inbox import LAG, InboxRow, WebInbox
from bot.web.push import LivePush

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class FakeInbox:
    """Committed rows only, as another worker's transactions made them visible."""

    def __init__(self) -> None:
        self.rows: list[InboxRow] = []  # undelivered
        self.top = 0  # the highest id taken
        self.floors: list[int] = []  # where each look started

    def commit(self, row_id: int, user_id: int, text: str) -> None:
        self.rows.append(InboxRow(row_id, user_id, {"type": "say", "text": text}, T0))
        self.top = max(self.top, row_id)

    def deliver(self, row_id: int) -> None:
        self.rows = [row for row in self.rows if row.id != row_id]

    async def last_id(self) -> int:
        return self.top

    async def since(self, floor: int, limit: int = 500) -> list[InboxRow]:
        self.floors.append(floor)
        return sorted((row for row in self.rows if row.id > floor), key=lambda r: r.id)[:limit]


class Tabs:
    """What the web chat's tabs received, per uid."""

    def __init__(self) -> None:
        self.got: list[tuple[str, list[dict[str, Any]]]] = []

    async def push(self, uid: str, frames: list[dict[str, Any]]) -> int:
        self.got.append((uid, frames))
        return 1

    def texts(self) -> list[tuple[str, str, int]]:
        return [(uid, f["text"], f["inbox"]) for uid, frames in self.got for f in frames]


async def started(inbox: FakeInbox) -> tuple[LivePush, Tabs]:
    live = LivePush(cast(WebInbox, inbox))
    tabs = Tabs()
    live.attach(tabs.push)
    live.opened(1, "awa-tab", [])
    await live.look(T0)  # the first look only finds where the inbox stands
    return live, tabs


async def test_a_new_row_of_an_open_tab_goes_once() -> None:
    inbox = FakeInbox()
    inbox.commit(1, 1, "old")  # before this worker started: sent at the next hello
    live, tabs = await started(inbox)
    inbox.commit(2, 1, "Votre enseignant a répondu")
    inbox.commit(3, 2, "Pour Moussa, dont l'onglet est ailleurs")
    assert await live.look(T0) == 1
    assert await live.look(T0 + timedelta(seconds=1)) == 0
    assert tabs.texts() == [("awa-tab", "Votre enseignant a répondu", 2)]


async def test_a_row_committed_late_with_a_lower_id_is_still_found() -> None:
    inbox = FakeInbox()
    live, tabs = await started(inbox)
    inbox.commit(11, 1, "second id, committed first")
    await live.look(T0)
    inbox.commit(10, 1, "first id, committed just after")
    await live.look(T0 + LAG / 2)
    assert [text for _, text, _ in tabs.texts()] == [
        "second id, committed first",
        "first id, committed just after",
    ]


async def test_the_floor_rises_once_rows_are_older_than_lag() -> None:
    inbox = FakeInbox()
    live, tabs = await started(inbox)
    inbox.commit(5, 3, "for a learner with no tab here")
    await live.look(T0)
    await live.look(T0 + LAG + timedelta(seconds=1))
    inbox.commit(4, 1, "committed long after its id was taken")
    await live.look(T0 + LAG + timedelta(seconds=2))
    assert tabs.texts() == []  # missed live: it waits for the next hello, in order


async def test_a_row_sent_at_hello_is_not_pushed_again() -> None:
    inbox = FakeInbox()
    live, tabs = await started(inbox)
    inbox.commit(7, 1, "waiting")
    live.opened(1, "awa-tab", list(inbox.rows))
    await live.look(T0)
    assert tabs.texts() == []
    live.closed("awa-tab")
    inbox.commit(8, 1, "after the tab closed")
    await live.look(T0)
    assert tabs.texts() == []


async def test_rows_delivered_elsewhere_are_not_read_again_and_again() -> None:
    inbox = FakeInbox()
    live, tabs = await started(inbox)
    inbox.commit(20, 3, "read by a tab on another worker")
    inbox.deliver(20)
    await live.look(T0)
    await live.look(T0 + LAG + timedelta(seconds=1))
    await live.look(T0 + LAG + timedelta(seconds=2))
    assert inbox.floors[-1] == 20  # the next looks start above it
    assert tabs.texts() == []
