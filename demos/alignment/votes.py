"""The audience's votes: pairs of answers drawn from the current model, a vote for the better one,
and the book that collects them, per session or per room (`?tab=alignment&room=talk`).

    seat = Seat()                                  # one per session (the UI's state)
    book = seat.book(room)                         # the room's shared book, or the session's own
    pair = draw_pair(seat, book, question, seed)   # two answers of the book's current model
    cast_vote(seat, book, pair_id, "A")            # counted once, exactly, under the book's lock

A book keeps the votes, the model tuned on them (None: the starting stage) and a generation number
that moves on whenever that model changes (a tuning run published, a Reset): a vote on a pair drawn
before is stale and refused, since it judged answers the model no longer gives. Rooms live in this
process's `ROOMS` registry, capped in number and in votes, each behind its own lock. Pure Python
but for the model calls.
"""

from __future__ import annotations

import copy
import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from demos.alignment import options
from demos.alignment import wording as words
from shared import limits
from shared.live import LiveRun
from shared.rooms import Rooms, check_room

_pair_ids = itertools.count(1)


@dataclass(frozen=True)
class Pair:
    """Two answers of one model to one question, shown as A and B."""

    id: int
    question: str
    answers: tuple[str, str]
    generation: int  # the book's generation when drawn
    topic: str = ""  # the question's topic when it came from the held-out set (for the rules)


@dataclass(frozen=True)
class Vote:
    question: str
    chosen: str
    rejected: str
    by: str  # "visitor" or "rules"


class Book:
    """The votes of one room (or one session without a room) and the model they tuned."""

    def __init__(self, name: str = "") -> None:
        self.name = name  # the room, or "" for a session's own book
        self.votes: list[Vote] = []
        self.voted: set[int] = set()  # pair ids already counted
        self.model: Any = None  # the tuned model (a plain transformers model), None = the starting stage
        self.generation = 0
        self.rounds = 0  # tuning runs published
        self.tuner = LiveRun()  # the one tuning run of this book
        self.used_at = time.monotonic()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> Book:
        # a session's initial state is deep-copied for each session: a fresh book with its own lock
        return Book(self.name)

    @property
    def count(self) -> int:
        return len(self.votes)

    def add(self, pair: Pair, choice: str, by: str = "visitor") -> int:
        """Count a vote for answer `choice` ("A" or "B") of `pair`; the number of votes after it."""
        with self._lock:
            self.used_at = time.monotonic()
            if pair.generation != self.generation:
                raise limits.LimitError(words.STALE_PAIR)
            if pair.id in self.voted:
                raise limits.LimitError(words.ALREADY_VOTED)
            if len(self.votes) >= options.MAX_VOTES:
                raise limits.LimitError(words.book_full(options.MAX_VOTES))
            chosen, rejected = pair.answers if choice == "A" else pair.answers[::-1]
            self.votes.append(Vote(pair.question, chosen, rejected, by))
            self.voted.add(pair.id)
            return len(self.votes)

    def publish(self, model: Any) -> None:
        """A tuning run's model replaces the book's; its votes are spent, earlier pairs go stale."""
        with self._lock:
            self.model, self.votes, self.voted = model, [], set()
            self.generation += 1
            self.rounds += 1

    def reset(self) -> None:
        """Back to the starting stage, no votes."""
        with self._lock:
            self.model, self.votes, self.voted = None, [], set()
            self.generation += 1
            self.rounds = 0

    def snapshot(self) -> tuple[Any, int, list[Vote]]:
        """(model, generation, votes) read together."""
        with self._lock:
            self.used_at = time.monotonic()
            return self.model, self.generation, list(self.votes)


def new_rooms() -> Rooms[Book]:
    """A registry of rooms' books (shared/rooms.py): capped, a book idle for ROOM_IDLE_S dropped unless tuning."""
    return Rooms(Book, options.MAX_ROOMS, options.ROOM_IDLE_S, busy=lambda book: book.tuner.busy)


ROOMS = new_rooms()


@dataclass
class Seat:
    """One session's place in the tab: its own book (used without a room), the pair it was shown,
    and whether the session has closed (its page is gone: nothing it sends counts)."""

    own: Book = field(default_factory=Book)
    pair: Pair | None = None
    closed: bool = False
    draws: int = 0

    def __deepcopy__(self, memo: dict) -> Seat:
        return Seat(copy.deepcopy(self.own, memo))

    def book(self, room: object, rooms: Rooms[Book] | None = None) -> Book:
        """The book this session votes in: the room's when it names one, else its own."""
        if self.closed:
            raise limits.LimitError(words.SESSION_CLOSED)
        name = check_room(room)
        return (rooms or ROOMS).get(name) if name else self.own

    def close(self) -> None:
        """The session ended (Gradio's delete callback): stop its tuning, refuse what it sends."""
        self.closed = True
        self.own.tuner.stop()


def pick_question(seed: int, draws: int) -> tuple[str, str]:
    """A held-out question (and its topic) for a pair, different for each draw of a session."""
    from demos.alignment import chat_data

    pool = chat_data.concept_examples("held_out")
    example = random.Random(seed * 7919 + draws).choice(pool)
    return example.messages()[-2]["content"], example.topic


def current_model(book: Book):  # noqa: ANN201 (-> (model, tokenizer, generation))
    """The book's model now: its tuned model, else the starting stage."""
    from demos.alignment import answers

    model, generation, _ = book.snapshot()
    start, tokenizer = answers.stage(options.TUNE_FROM)
    return (model if model is not None else start), tokenizer, generation


def draw_pair(seat: Seat, book: Book, question: object, seed: object) -> Pair:
    """Two answers of the book's current model to `question` ('' draws a held-out one), sampled hot
    with one seed; the seat remembers the pair it was shown."""
    from demos.alignment import answers

    seed = limits.SEED.check(seed)
    text = "" if question is None else question
    topic = ""
    if isinstance(text, str) and not text.strip():
        text, topic = pick_question(seed, seat.draws)
    text = options.check_prompt(text)
    model, tokenizer, generation = current_model(book)
    a, b = answers.sample(model, tokenizer, answers.prompt_ids(tokenizer, text), 2, seed * 1_000 + seat.draws,
                          options.PAIR_TEMPERATURE)
    seat.draws += 1
    pair = Pair(next(_pair_ids), text, (a.text, b.text), generation, topic)
    if seat.closed:
        raise limits.LimitError(words.SESSION_CLOSED)
    seat.pair = pair
    return pair


def cast_vote(seat: Seat, book: Book, choice: object, pair_id: object = None) -> int:
    """The visitor prefers answer `choice` ("A" or "B") of the pair it was shown; the book's count
    after it. pair_id, when given, must be that pair's (a script that votes on an older pair is told)."""
    if seat.closed:
        raise limits.LimitError(words.SESSION_CLOSED)
    choice = limits.check_choice("vote", str(choice).strip().upper() if isinstance(choice, str) else choice, ("A", "B"))
    pair = seat.pair
    if pair is None:
        raise limits.LimitError(words.NO_PAIR)
    if pair_id not in (None, "", pair.id):
        try:
            stale = int(pair_id) != pair.id  # type: ignore[call-overload]
        except (TypeError, ValueError):
            stale = True
        if stale:
            raise limits.LimitError(words.STALE_PAIR)
    count = book.add(pair, choice)
    seat.pair = None  # one vote per pair
    return count
