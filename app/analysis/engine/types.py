"""The engine's data: what goes in (Doc) and what comes out (CandidateTheme, Discovery)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Doc:
    """One item to theme. `quotable`: its consent allows quoting it to the secretariat.
    `weight`: how many items it stands for (1, or a campaign's signatories)."""

    key: int
    text: str
    quotable: bool
    weight: int = 1


@dataclass
class CandidateTheme:
    """A proposed theme: key "3" is a parent, "3.1" one of its children."""

    key: str
    parent_key: str | None
    label: str
    key_phrases: list[str]
    member_keys: list[int]
    quote_keys: list[int]  # 3-5 doc keys, quotable docs only (fewer when it has fewer)
    summary: str  # extractive: sentences of quotable members, or the key phrases
    size: int  # the sum of the members' weights
    # Beside member_keys: each member's cosine similarity to the theme's centre, in [-1, 1]
    # (how typical of the theme it is; a promotion's confidence in coding it).
    member_similarity: list[float] = field(default_factory=list)


@dataclass
class Discovery:
    method: str
    seed: int
    model_version: str
    themes: list[CandidateTheme]
    redundant_pairs: list[tuple[str, str, float]]  # (theme key, theme key, similarity)
    assignments: dict[int, str]  # doc key -> leaf theme key
    seconds: float
    stats: dict[str, float] = field(default_factory=dict)  # timings and sizes, for benchmarks
