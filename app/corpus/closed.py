"""A closed-question answer as the corpus keeps it: the question (its label, its kind, its
options in order) and the option(s) chosen. Imports nothing of the database, like `scope`.

A feature package that records an answer to a choice, scale, yes/no or ranking question passes
a ClosedAnswer beside the answer's text (`record_feedback(..., closed=...)`), so reports count
answers per option without reading the package's own tables. Options are (value, label) pairs:
the value is what is stored and counted (stable across form versions), the label what people
read.
"""
from __future__ import annotations

from dataclasses import dataclass

# "scale": an ordered scale (agreement, five points and "don't know"); "ranking": the options
# in the order the person ranked them (reports count what was ranked first).
CLOSED_KINDS = ("single_choice", "multiple_choice", "scale", "yes_no", "ranking")
ONE_CHOICE_KINDS = frozenset({"single_choice", "scale", "yes_no"})


@dataclass(frozen=True)
class ClosedAnswer:
    prompt: str
    kind: str
    options: tuple[tuple[str, str], ...]  # (value, label), in the question's order
    chosen: tuple[str, ...]  # option values; a ranking's in rank order

    def __post_init__(self) -> None:
        if self.kind not in CLOSED_KINDS:
            raise ValueError(f"unknown closed-question kind {self.kind!r}: one of {CLOSED_KINDS}")
        values = [value for value, _label in self.options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be distinct")
        unknown = set(self.chosen) - set(values)
        if unknown:
            raise ValueError(f"chosen values {sorted(unknown)} are not options")
        if len(set(self.chosen)) != len(self.chosen):
            raise ValueError("an option is chosen at most once")
        if self.kind in ONE_CHOICE_KINDS and len(self.chosen) > 1:
            raise ValueError(f"a {self.kind} question has one answer")

    @classmethod
    def of(cls, prompt: str, kind: str, options, chosen) -> ClosedAnswer:
        """From lists (a value may be a single string for one choice)."""
        if isinstance(chosen, str):
            chosen = [chosen]
        return cls(str(prompt), kind, tuple((str(v), str(label)) for v, label in options),
                   tuple(str(c) for c in chosen))
