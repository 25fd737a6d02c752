"""Full-text search over forum posts: SQLite FTS5 or PostgreSQL full-text search behind one
function, `search_posts`. Text is folded (lower case, macrons and other marks removed) in Python
both when a post is indexed and when a query is parsed, so `Maori` finds `Māori` on both
databases without any database extension. Callers pass the spaces the reader may see: a caucus
post is never a candidate for a non-member.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import text

from app.db import Session

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def fold(value: str) -> str:
    """Lower case without diacritics, one character for one character (so positions in the
    folded text are positions in the original, for highlighting)."""
    folded = (value or "").lower()
    if folded.isascii():
        return folded
    for ch in set(folded).difference(_SEEN):  # each character is worked out once per process
        _SEEN.add(ch)
        base = unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch
        if base != ch:
            _FOLD_TABLE[ord(ch)] = base
    return folded.translate(_FOLD_TABLE)


_SEEN: set[str] = set()
_FOLD_TABLE: dict[int, str] = {}


def query_terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


def _is_postgres() -> bool:
    return Session.get_bind().dialect.name == "postgresql"


def index_post(post_id: int, search_text: str) -> None:
    """Put (or replace) one post in the SQLite FTS5 index. PostgreSQL indexes the column
    itself (an expression index), so there is nothing to do there."""
    if _is_postgres():
        return
    Session.execute(text("DELETE FROM forum_post_fts WHERE rowid = :id"), {"id": post_id})
    Session.execute(text("INSERT INTO forum_post_fts (rowid, search_text) VALUES (:id, :t)"),
                    {"id": post_id, "t": search_text})


def unindex_post(post_id: int) -> None:
    if not _is_postgres():
        Session.execute(text("DELETE FROM forum_post_fts WHERE rowid = :id"), {"id": post_id})


@dataclass
class Hit:
    post_id: int
    rank: float


# A query matching more posts than this ranks the newest CANDIDATES of them (the page says
# "CANDIDATES or more"): ranking every match of a common word over 100,000 posts costs a
# second, and nobody pages through hundreds of results (15 pages of 20 here). Each candidate
# costs a bm25 score and two primary-key lookups: 1,000 candidates took 9 ms of CPU at the
# median and 25 ms at p99 over 100,000 posts, 300 take 3.5 ms and 10 ms. bench/forum.py (search).
CANDIDATES = 300
# Shorter words are matched whole: a one-letter prefix matches most of the index, and SQLite's
# prefix indexes (forums_0002) start at two characters.
MIN_PREFIX = 2


def _match_terms(terms: list[str]) -> list[tuple[str, bool]]:
    return [(term, len(term) >= MIN_PREFIX) for term in terms]


def search_posts(query: str, space_ids: list[int], *, limit: int = 20,
                 offset: int = 0) -> tuple[list[Hit], int]:
    """Published posts in SPACE_IDS matching every word of QUERY (prefix matches), best first;
    and how many there are in all (at most CANDIDATES: see there)."""
    terms = _match_terms(query_terms(query))
    if not terms or not space_ids:
        return [], 0
    params: dict = {"limit": limit, "offset": offset, "candidates": CANDIDATES}
    spaces = ", ".join(str(int(space_id)) for space_id in space_ids)
    visible = f"p.status = 'published' AND t.space_id IN ({spaces})"
    if _is_postgres():
        params["q"] = " & ".join(f"{term}:*" if prefix else term for term, prefix in terms)
        # Matches through the GIN index (OFFSET 0 keeps the planner from walking the primary
        # key backwards instead), the newest CANDIDATES of them, and only those ranked.
        query_ = "to_tsquery('simple', :q)"
        candidates = (
            f"SELECT c.id AS id, ts_rank(to_tsvector('simple', c.search_text), {query_}) "
            "AS score FROM (SELECT p.id, p.search_text FROM (SELECT id, thread_id, search_text, "
            "status FROM forum_post WHERE to_tsvector('simple', search_text) @@ "
            f"{query_} OFFSET 0) AS p JOIN forum_thread t ON t.id = p.thread_id "
            f"WHERE {visible} ORDER BY p.id DESC LIMIT :candidates) AS c")
        order = "score DESC, id DESC"
    else:
        params["q"] = " ".join(f'"{term}"*' if prefix else f'"{term}"' for term, prefix in terms)
        # The newest matches first (FTS5 walks its index in rowid order, no sort), each
        # ranked by bm25 (lower is better), then the best of them.
        candidates = ("SELECT f.rowid AS id, bm25(forum_post_fts) AS score "
                      "FROM forum_post_fts f JOIN forum_post p ON p.id = f.rowid "
                      "JOIN forum_thread t ON t.id = p.thread_id "
                      f"WHERE forum_post_fts MATCH :q AND {visible} "
                      "ORDER BY f.rowid DESC LIMIT :candidates")
        order = "score, id DESC"
    rows = Session.execute(text(
        f"SELECT id, score, count(*) OVER () FROM ({candidates}) AS c "
        f"ORDER BY {order} LIMIT :limit OFFSET :offset"), params).all()
    if not rows:
        total = 0 if offset == 0 else Session.execute(
            text(f"SELECT count(*) FROM ({candidates}) AS c"), params).scalar_one()
        return [], int(total)
    score = (lambda value: float(value or 0)) if _is_postgres() else (
        lambda value: -float(value or 0))
    return [Hit(post_id=row[0], rank=score(row[1])) for row in rows], int(rows[0][2])


@functools.lru_cache(maxsize=256)
def _terms_pattern(query: str) -> re.Pattern | None:
    """One pattern for every term of QUERY (longest first, so `online` wins over `on`), matched
    at the start of a word: one pass over the text instead of one per term; built once per
    query, not once per excerpt."""
    terms = query_terms(query)
    if not terms:
        return None
    words = sorted(set(terms), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + ")")


def highlight(plain: str, query: str, *, width: int = 240) -> Markup:
    """An escaped excerpt of PLAIN around the first match, every match in <mark>."""
    pattern = _terms_pattern(query)
    folded = fold(plain)
    spans = [found.span() for found in pattern.finditer(folded)] if pattern else []
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(plain), start + width)
    # Plain strings, escaped piece by piece, joined once (Markup's own + re-checks each piece).
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_start < cursor:
            continue
        if span_end > end:
            break
        out.append(str(escape(plain[cursor:span_start])))
        out.append("<mark>" + str(escape(plain[span_start:span_end])) + "</mark>")
        cursor = span_end
    out.append(str(escape(plain[cursor:end])))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(plain) else ""
    return Markup(prefix + "".join(out) + suffix)
