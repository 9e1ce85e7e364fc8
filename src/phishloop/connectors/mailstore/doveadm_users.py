"""Read-only doveadm commands over many users at once, through user masks.

Each doveadm command costs Dovecot a user initialisation; a command whose `user` is a
mask (`user01*`) walks the userdb once and serves every matching user in one process,
about half the cost per user. `UserReads.read` runs one read-only command (fetch,
mailboxStatus) for a list of mailboxes: prefix masks where most users under a prefix are
wanted, one command per user elsewhere, and keeps only the rows of the wanted mailboxes,
so users the masks also reach (the abuse mailbox among them) are read but never reported.

Dovecot limits (2.3): a mask needs the userdb to iterate, and only the first command of a
request may iterate (the process has dropped its privileges after it), so each mask goes
first in a request of its own. A mask answer leaves out a user that failed (a broken
mail location: logged, not answered), so a wanted user without rows is asked again on its
own, as are all of a mask's users when the mask fails (the userdb cannot iterate): errors
stay per mailbox. Callers make every user answer rows where they can (`MARKER`: the first
message of each folder) so that only the few really empty mailboxes are asked twice.
Never used for moves: a mask would reach unwanted mailboxes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from phishloop.connectors.mailstore.base import MailStoreError
from phishloop.connectors.mailstore.doveadm_api import Command, CommandError, DoveadmApi

MARKER = ["1"]  # a search key matching each folder's first message (sequence number 1)
MIN_MASK = 8  # fewer wanted users under a prefix: one command each is as cheap
DENSITY = 0.5  # a mask pays when at least this share of the users it reaches are wanted
MASK_USERS = 128  # a mask may reach this many users even when that leaves workers idle


@dataclass(frozen=True, slots=True)
class Cover:
    """How to reach `wanted` users: masks (each with the wanted users it reaches) and
    users asked one by one."""

    masks: list[tuple[str, list[str]]]
    singles: list[str]


def cover(users: Sequence[str], wanted: Sequence[str], max_size: int) -> Cover:
    """Prefix masks over `users` (the userdb's listing) for the `wanted` ones: a prefix
    becomes a mask when it reaches at most `max_size` users, at least MIN_MASK of them
    wanted and at least DENSITY of them; wanted names not listed go one by one."""
    listed = sorted({u for u in users if _maskable(u)})
    want = set(wanted)
    masks: list[tuple[str, list[str]]] = []
    known = set(listed)
    singles = [u for u in dict.fromkeys(wanted) if u not in known]
    stack = [("", listed)]
    while stack:
        prefix, under = stack.pop()
        chosen = [u for u in under if u in want]
        if not chosen:
            continue
        if len(chosen) < MIN_MASK:
            singles += chosen
        elif len(under) <= max_size and len(chosen) >= DENSITY * len(under):
            masks.append((prefix + "*", chosen))
        else:
            groups: dict[str, list[str]] = defaultdict(list)
            for user in under:
                if len(user) == len(prefix):
                    singles += [user] if user in want else []
                else:
                    groups[user[: len(prefix) + 1]].append(user)
            stack += sorted(groups.items(), reverse=True)
    return Cover(masks, singles)


class UserReads:
    """Runs read-only commands for many mailboxes through masks where they pay."""

    def __init__(
        self,
        api: DoveadmApi,
        executor: Executor,
        *,
        workers: int,
        chunk_size: int,
        masks: bool = True,
    ) -> None:
        self.api = api
        self.executor = executor
        self.workers = max(1, workers)
        self.chunk_size = max(1, chunk_size)
        self.masks = masks
        self._users: list[str] | None = None
        self._listed = False

    def users(self) -> list[str] | None:
        """The userdb's listing (read once), or None when the userdb cannot iterate."""
        if not self._listed:
            self._listed = True
            try:
                answer = self.api.call([("user", {"userMask": ["*"]})])[0]
            except MailStoreError:
                return None  # asked one by one, each mailbox then gets its own error
            if isinstance(answer, dict):
                self._users = sorted(str(u) for u in answer.get("userList", []))
        return self._users

    def plan(self, mailboxes: Sequence[str], *, masks: bool = True) -> Cover:
        wanted = list(dict.fromkeys(mailboxes))
        use = masks and self.masks and len(wanted) >= MIN_MASK
        users = self.users() if use else None
        if users is None:
            return Cover([], wanted)
        # a mask per worker where there are many users (Dovecot runs each in one process);
        # each mask walks the whole userdb, so no smaller than MASK_USERS
        max_size = max(MASK_USERS, -(-len(wanted) // self.workers))
        return cover(users, wanted, max_size)

    def read(
        self, command: Callable[[str], Command], mailboxes: Sequence[str], *, masks: bool = True
    ) -> dict[str, Any]:
        """`command(user)` for every mailbox: its rows (a list), a CommandError, or the
        MailStoreError of the request that carried it (see `failure`)."""
        plan = self.plan(mailboxes, masks=masks)
        tasks: list[tuple[str | None, list[str]]] = [(m, users) for m, users in plan.masks]
        tasks += [(None, chunk) for chunk in _chunks(plan.singles, self.chunk_size)]
        out: dict[str, Any] = {}
        retry: list[str] = []
        for mask, users, answer in self.executor.map(lambda t: self._run(command, *t), tasks):
            if mask is not None and isinstance(answer, CommandError):
                retry += users
            elif mask is not None:  # a user that failed is left out silently: ask again
                grouped = _by_user(answer, users)
                retry += [user for user, rows in grouped.items() if not rows]
                out.update((user, rows) for user, rows in grouped.items() if rows)
            else:  # one by one, or the failed request of a mask
                out.update(zip(users, answer, strict=True))
        again = [(None, chunk) for chunk in _chunks(retry, self.chunk_size)]
        for _, users, answer in self.executor.map(lambda t: self._run(command, *t), again):
            out.update(zip(users, answer, strict=True))
        return {m: out[m] for m in mailboxes}

    def _run(
        self, command: Callable[[str], Command], mask: str | None, users: list[str]
    ) -> tuple[str | None, list[str], Any]:
        """One request: the mask's command, or one command per user. A failed request
        answers MailStoreError for each of its users."""
        try:
            if mask is None:
                return mask, users, self.api.call([command(u) for u in users])
            answer = self.api.call([command(mask)])[0]
        except MailStoreError as exc:
            return None, users, [exc] * len(users)
        return mask, users, answer


def failure(answer: Any) -> tuple[str, bool] | None:
    """(reason, transient) when `answer` is an error, else None."""
    if isinstance(answer, CommandError):
        return answer.reason, answer.transient
    if isinstance(answer, MailStoreError):
        return str(answer), answer.transient
    return None


def _by_user(rows: Any, users: list[str]) -> Mapping[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {user: [] for user in users}
    for row in rows or ():
        name = str(row.pop("username", ""))
        if name in grouped:
            grouped[name].append(row)
    return grouped


def is_mask(user: str) -> bool:
    """Whether a command's `user` is a mask (listed names with wildcards never are)."""
    return user.endswith("*")


def _maskable(user: str) -> bool:
    return "*" not in user and "?" not in user


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
