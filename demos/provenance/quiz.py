"""Can you tell? The quiz: one picture at a time, real or generated, the visitor's verdict and the
detector's on the same picture, counted per source (real, or which generator).

    seat = Seat()                                # one per session (the UI's state)
    tally = seat.tally(room)                     # the room's shared tally, or the session's own
    question = next_question(seat, seed)         # a picture from exhibits.npz, in a seeded order
    result = answer(seat, tally, "generated")    # counted once, under the tally's lock

The pictures are drawn once by make_exhibits.py: as many real ones (held out, never trained on) as
generated ones, so always answering "real" scores 50%. The tally keeps, per source, how many of
the visitors' answers were right and how many of the detector's were on the very same pictures.
"""

from __future__ import annotations

import copy
import functools
import itertools
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from demos.provenance import options
from demos.provenance import wording as words
from demos.provenance.stored import REAL, exhibits, source_names
from shared import limits
from shared.rooms import Rooms, check_room

CHOICES = (REAL, "generated")
_question_ids = itertools.count(1)


@functools.cache
def pool() -> tuple[tuple[str, int], ...]:
    """Every quiz picture as (source, index)."""
    return tuple((source, i) for source, pictures in exhibits().items() for i in range(len(pictures)))


@functools.cache
def detector_verdicts() -> dict[str, np.ndarray]:
    """source -> (k,) the detector's probability that each picture was generated (computed once)."""
    from demos.provenance.explain import probability_generated

    return {source: probability_generated(pictures) for source, pictures in exhibits().items()}


@dataclass(frozen=True)
class Question:
    id: int
    source: str
    index: int
    number: int  # the session's question number, from 1

    @property
    def picture(self) -> np.ndarray:
        return exhibits()[self.source][self.index]

    @property
    def generated(self) -> bool:
        return self.source != REAL


@dataclass(frozen=True)
class Result:
    question: Question
    said: str  # "real" or "generated"
    right: bool
    detector_probability: float
    detector_right: bool


@dataclass
class Counts:
    visitor_right: int = 0
    detector_right: int = 0
    answers: int = 0


class Tally:
    """The answers of one room (or one session without a room), per source."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.counts: dict[str, Counts] = {}
        self.answered: set[int] = set()
        self.used_at = time.monotonic()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> Tally:
        return Tally(self.name)  # each session's copy of the initial state: fresh counts, its own lock

    def add(self, result: Result) -> int:
        """Count one answer; the number of answers after it."""
        with self._lock:
            self.used_at = time.monotonic()
            if result.question.id in self.answered:
                raise limits.LimitError(words.ALREADY_ANSWERED)
            total = sum(c.answers for c in self.counts.values())
            if total >= options.MAX_ANSWERS:
                raise limits.LimitError(words.tally_full(options.MAX_ANSWERS))
            counts = self.counts.setdefault(result.question.source, Counts())
            counts.answers += 1
            counts.visitor_right += result.right
            counts.detector_right += result.detector_right
            self.answered.add(result.question.id)
            return total + 1

    def snapshot(self) -> dict[str, Counts]:
        with self._lock:
            self.used_at = time.monotonic()
            return {k: copy.copy(v) for k, v in self.counts.items()}

    def reset(self) -> None:
        with self._lock:
            self.counts, self.answered = {}, set()


ROOMS: Rooms[Tally] = Rooms(Tally, options.MAX_ROOMS, options.ROOM_IDLE_S)


@dataclass
class Seat:
    """One session's place in the quiz: its own tally (its score, and the pool without a room), the
    question it was shown, and how far through its seeded order it is."""

    own: Tally = field(default_factory=Tally)
    question: Question | None = None
    asked: int = 0
    seed: int = 0
    closed: bool = False

    def __deepcopy__(self, memo: dict) -> Seat:
        return Seat(copy.deepcopy(self.own, memo))

    def tally(self, room: object, rooms: Rooms[Tally] = ROOMS) -> Tally:
        """The tally this session counts in beside its own: the room's when it names one, else its own."""
        if self.closed:
            raise limits.LimitError(words.SESSION_CLOSED)
        name = check_room(room)
        return rooms.get(name) if name else self.own

    def close(self) -> None:
        self.closed = True


def next_question(seat: Seat, seed: object) -> Question:
    """The next picture of the seat's order: a permutation of the pool by `seed` (a new seed starts
    a new order), never the same picture twice until every one was shown."""
    seed = limits.SEED.check(seed)
    if seat.closed:
        raise limits.LimitError(words.SESSION_CLOSED)
    if seed != seat.seed:
        seat.seed, seat.asked = seed, 0
    everything = pool()
    order = np.random.default_rng(seed).permutation(len(everything))
    source, index = everything[int(order[seat.asked % len(everything)])]
    seat.asked += 1
    seat.question = Question(next(_question_ids), source, index, seat.asked)
    return seat.question


def answer(seat: Seat, tally: Tally, said: object, question_id: object = None) -> Result:
    """The visitor says the question's picture is "real" or "generated": the verdict, counted in the
    seat's own tally and in `tally` (its room's) once. question_id, when given, must be the shown one's."""
    if seat.closed:
        raise limits.LimitError(words.SESSION_CLOSED)
    said = limits.check_choice("answer", said.strip().lower() if isinstance(said, str) else said, CHOICES)
    question = seat.question
    if question is None:
        raise limits.LimitError(words.NO_QUESTION)
    if question_id not in (None, "") and str(question_id) != str(question.id):
        raise limits.LimitError(words.STALE_QUESTION)
    p = float(detector_verdicts()[question.source][question.index])
    result = Result(question, said, (said != REAL) == question.generated, p, (p > 0.5) == question.generated)
    if tally is not seat.own:
        tally.add(result)
    seat.own.add(result)
    seat.question = None  # one answer per picture
    return result


@dataclass(frozen=True)
class ScoreRow:
    source: str
    name: str
    answers: int
    visitors: float | None  # share right (None: no answers yet)
    detector: float | None  # the detector's share right on the same pictures


def score_rows(counts: dict[str, Counts]) -> list[ScoreRow]:
    """A row per source that was answered, in the arena's order, then all generators together and all."""
    rows = []
    for source, name in source_names().items():
        c = counts.get(source)
        if c and c.answers:
            rows.append(ScoreRow(source, name, c.answers, c.visitor_right / c.answers, c.detector_right / c.answers))

    def total(source: str, name: str, keys: list[str]) -> None:
        n = sum(counts[k].answers for k in keys if k in counts)
        if n:
            rows.append(ScoreRow(source, name, n, sum(counts[k].visitor_right for k in keys if k in counts) / n,
                                 sum(counts[k].detector_right for k in keys if k in counts) / n))

    generated = [k for k in counts if k != REAL]
    total("generated", words.ALL_GENERATED, generated)
    total("all", words.ALL_PICTURES, list(counts))
    return rows
