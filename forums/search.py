"""Full-text search over forum posts: SQLite FTS5 or PostgreSQL full-text search behind one
function, `search_posts`. Text is folded (lower case, macrons and other marks removed) in Python
both when a post is indexed and when a query is parsed, so `Maori` finds `Māori` on both
databases without any database extension. Callers pass the spaces the reader may see: a caucus
post is never a candidate for a non-member.
"""
from __future__ import annotations

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
    return "".join(unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch
                   for ch in (value or "").lower())


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


def search_posts(query: str, space_ids: list[int], *, limit: int = 20,
                 offset: int = 0) -> tuple[list[Hit], int]:
    """Published posts in SPACE_IDS matching every word of QUERY (prefix matches), best first;
    and how many there are in all."""
    terms = query_terms(query)
    if not terms or not space_ids:
        return [], 0
    params: dict = {"limit": limit, "offset": offset}
    spaces = ", ".join(str(int(space_id)) for space_id in space_ids)
    if _is_postgres():
        params["q"] = " & ".join(f"{term}:*" for term in terms)
        match = ("to_tsvector('simple', p.search_text) @@ to_tsquery('simple', :q)")
        rank = "ts_rank(to_tsvector('simple', p.search_text), to_tsquery('simple', :q))"
        base = (f"FROM forum_post p JOIN forum_thread t ON t.id = p.thread_id "
                f"WHERE {match} AND p.status = 'published' AND t.space_id IN ({spaces})")
        order = f"{rank} DESC, p.id DESC"
        select_rank = rank
    else:
        params["q"] = " ".join(f'"{term}"*' for term in terms)
        base = ("FROM forum_post_fts f JOIN forum_post p ON p.id = f.rowid "
                "JOIN forum_thread t ON t.id = p.thread_id "
                f"WHERE forum_post_fts MATCH :q AND p.status = 'published' "
                f"AND t.space_id IN ({spaces})")
        order = "f.rank, p.id DESC"  # FTS5's bm25 rank: lower is better
        select_rank = "-f.rank"
    rows = Session.execute(text(f"SELECT p.id, {select_rank} {base} ORDER BY {order} "
                                "LIMIT :limit OFFSET :offset"), params).all()
    total = Session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
    return [Hit(post_id=row[0], rank=float(row[1] or 0)) for row in rows], int(total)


def highlight(plain: str, query: str, *, width: int = 240) -> Markup:
    """An escaped excerpt of PLAIN around the first match, every match in <mark>."""
    terms = query_terms(query)
    folded = fold(plain)
    spans = []
    for term in terms:
        for found in re.finditer(r"\b" + re.escape(term), folded):
            spans.append((found.start(), found.end()))
    spans.sort()
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(plain), start + width)
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        out.append(escape(plain[cursor:span_start]))
        out.append(Markup("<mark>") + escape(plain[span_start:span_end]) + Markup("</mark>"))
        cursor = span_end
    out.append(escape(plain[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(plain) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)
