"""Presenter links: a URL that opens one demo, full-width, in exactly the state a slide shows.

    ?tab=gan&present=1&seeds=3,17,42&psi=0.7

Each demo declares, in its options.py, which of its controls a link may set (`LINK_PARAMS`: URL
name -> LinkParam). A value from the URL goes through the same limits as a value typed in the tab;
an unknown name or a bad value is dropped with a notice, never an error page. Both directions live
here, free of any UI library: `read` (URL -> checked values and notices) and `link` (values -> URL).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from shared import limits

RESERVED = ("tab", "present", "__theme", "view")  # the app's own parameters, never a demo's
MAX_VALUE_CHARS = 500  # a URL value longer than this is refused before it is parsed


@dataclass(frozen=True)
class LinkParam:
    """One control a link may set: how a URL string becomes a checked value, and back."""

    parse: Callable[[str], Any]  # raises limits.LimitError (or ValueError) with a readable message
    show: Callable[[Any], str] = str


def int_param(rng: limits.IntRange) -> LinkParam:
    return LinkParam(parse=rng.check, show=lambda v: str(int(v)))


def float_param(rng: limits.FloatRange) -> LinkParam:
    return LinkParam(parse=rng.check, show=lambda v: f"{float(v):g}")


def choice_param(name: str, choices: tuple[str, ...] | list[str]) -> LinkParam:
    return LinkParam(parse=lambda s: limits.check_choice(name, s, choices))


def text_param(name: str, max_chars: int, allow_empty: bool = False) -> LinkParam:
    """Text such as a prompt; a link may not carry control characters (a slide never needs them)."""

    def parse(text: str) -> str:
        if any(ord(c) < 32 or ord(c) == 127 for c in str(text)):
            raise limits.LimitError(f"The {name} may not contain control characters.")
        return limits.check_text(name, text, max_chars, allow_empty=allow_empty)

    return LinkParam(parse=parse)


def int_list_param(name: str, item: limits.IntRange, count: limits.IntRange) -> LinkParam:
    """A comma-separated list of whole numbers, e.g. seeds=3,17,42."""

    def parse(text: str) -> list[int]:
        parts = [p.strip() for p in str(text).split(",") if p.strip()]
        count.check(len(parts))
        return [item.check(p) for p in parts]

    return LinkParam(parse=parse, show=lambda v: ",".join(str(int(x)) for x in v))


def is_presenting(query: Mapping[str, str]) -> bool:
    return str(query.get("present", "")).strip().lower() in ("1", "true", "yes", "on")


def read(query: Mapping[str, str], declared: Mapping[str, LinkParam], title: str = "this demo") -> tuple[dict[str, Any], list[str]]:
    """The values a URL sets for a demo, checked, and a notice for each one it ignored."""
    values: dict[str, Any] = {}
    notices: list[str] = []
    for name, raw in query.items():
        if name in RESERVED:
            continue
        param = declared.get(name)
        if param is None:
            known = ", ".join(declared) or "none"
            notices.append(f"The link's '{name}' is not a setting of {title} (it takes: {known}); ignored.")
            continue
        text = str(raw)
        if len(text) > MAX_VALUE_CHARS:
            notices.append(f"The link's '{name}' is longer than {MAX_VALUE_CHARS} characters; ignored.")
            continue
        try:
            values[name] = param.parse(text)
        except (limits.LimitError, ValueError, TypeError) as exc:
            notices.append(f"The link's '{name}' was ignored: {exc}")
    return values, notices


def link(slug: str, values: Mapping[str, Any], declared: Mapping[str, LinkParam], present: bool = True) -> str:
    """The query string that reopens `slug` with these values (each checked first: a link never
    carries a value the tab would refuse)."""
    query: dict[str, str] = {"tab": slug}
    if present:
        query["present"] = "1"
    for name, value in values.items():
        param = declared[name]
        shown = param.show(value)
        param.parse(shown)  # raises LimitError for a value the tab would refuse
        query[name] = shown
    return "?" + urlencode(query, safe=",")
