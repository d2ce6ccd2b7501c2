"""Search the archive: full text plus filters, with the matching words highlighted.

An examiner's request reads like "everything between these dates, to or from this person, that
mentions X". The filters (participant, source, direction, date range, has-attachment, kind) are
plain indexed columns shared by both databases; the words go to SQLite FTS5 on the embedded
default and to PostgreSQL's tsvector/GIN full-text search in production. Results come newest first
(or by relevance), with a snippet around the hits whose highlighted spans are returned as offsets,
so the CLI can colour them and the JSON output stays plain text, and with the number of matches
in all, or, when the caller sets a count limit (the web page does), "more than" that limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from proctor.comms.query import ParsedQuery, Term, parse_query, prefix_word, to_fts5
from proctor.comms.tables import participants, search_rows
from proctor.core.errors import InputError

START, STOP = "\x02", "\x03"
ORDERS = ("newest", "oldest", "relevance")
DIRECTIONS = ("internal", "external", "unknown")
_BLANKS = str.maketrans("\r\n\t", "   ")
_CONFIG: Any = sa.literal_column("'comms_fts_english'::regconfig")
_TSV: Any = sa.literal_column("comms_search.comms_fts_tsv")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    participant: str | None = None
    source: str | None = None
    direction: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    has_attachment: bool | None = None
    kind: str | None = None
    order: str = "newest"
    limit: int = 50
    offset: int = 0
    # Count the matches only up to this many (or to the end of the page, if further), for a page
    # that says "more than 1,000" instead of counting a common word's 500,000 matches on every
    # request; None counts every match.
    count_up_to: int | None = None

    def check(self) -> None:
        if self.order not in ORDERS:
            raise InputError(f"order must be one of {', '.join(ORDERS)}", field="--order")
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise InputError(f"direction must be one of {', '.join(DIRECTIONS)}", field="--direction")
        if self.limit < 1 or self.offset < 0:
            raise InputError("limit must be at least 1 and offset not negative", field="--limit")
        if self.count_up_to is not None and self.count_up_to < 1:
            raise InputError("the count limit must be at least 1", field="count_up_to")
        if self.since and self.until and self.since > self.until:
            raise InputError("--since is after --until", field="--since")


@dataclass
class SearchResult:
    hits: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False
    total: int = 0  # every match, not only this page
    total_capped: bool = False  # there are more than `total` matches (see count_up_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "more": self.more,
            "count": len(self.hits),
            "total": self.total,
            "total_capped": self.total_capped,
        }


def _participant_docs(query: SearchQuery) -> sa.Select[Any]:
    address = (query.participant or "").strip().lower()
    return sa.select(participants.c.doc).where(participants.c.address == address)


def _filters(query: SearchQuery, participant: bool = True) -> list[Any]:
    s = search_rows.c
    where: list[Any] = []
    if query.participant and participant:
        where.append(s.doc.in_(_participant_docs(query)))
    if query.source:
        where.append(s.source == query.source)
    if query.direction:
        where.append(s.direction == query.direction)
    if query.since:
        where.append(s.sent_at >= query.since)
    if query.until:
        where.append(s.sent_at <= query.until)
    if query.has_attachment is not None:
        where.append(s.has_attachments == query.has_attachment)
    if query.kind:
        where.append(s.kind == query.kind)
    return where


def _pg_term(term: Term) -> Any:
    """A term as a tsquery; like an FTS5 string, several words (``wire-transfer``) are a phrase."""
    words = re.findall(r"\w+", term.text, re.UNICODE)
    if term.prefix:
        text = " & ".join([*words[:-1], prefix_word(term) + ":*"])
        return sa.func.to_tsquery(_CONFIG, text)
    if len(words) > 1:
        return sa.func.phraseto_tsquery(_CONFIG, " ".join(words))
    return sa.func.plainto_tsquery(_CONFIG, " ".join(words))


def _pg_any(terms: list[Term]) -> Any:
    expr = _pg_term(terms[0])
    for term in terms[1:]:
        expr = expr.op("||")(_pg_term(term))
    return expr


def _pg_text(parsed: ParsedQuery) -> tuple[list[Any], Any]:
    """WHERE conditions for PostgreSQL, and the combined query used for ranking and headlines."""
    where = [_TSV.op("@@")(_pg_any(group)) for group in parsed.groups]
    where.extend(sa.not_(_TSV.op("@@")(_pg_term(term))) for term in parsed.excluded)
    combined = _pg_any(parsed.groups[0])
    for group in parsed.groups[1:]:
        combined = combined.op("&&")(_pg_any(group))
    return where, combined


# Above this many matches a term is "common": newest-first then walks the sent_at index and
# stops after one page, instead of sorting every match (a word in 10% of a million messages).
COMMON = 2000


def _fts_match(parsed: ParsedQuery) -> Any:
    return sa.text("comms_fts MATCH :fts_query").bindparams(fts_query=to_fts5(parsed))


def _fts_rowids(parsed: ParsedQuery) -> sa.Select[Any]:
    return sa.select(sa.literal_column("rowid")).select_from(sa.table("comms_fts")).where(_fts_match(parsed))


def _is_common(conn: sa.Connection, parsed: ParsedQuery) -> bool:
    sample = _fts_rowids(parsed).limit(COMMON).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(sample)).scalar_one()) >= COMMON


def _candidates(
    conn: sa.Connection, query: SearchQuery, parsed: ParsedQuery, *, ids: bool = False, common: bool = False
) -> sa.Select[Any]:
    """The matching messages in result order, as docs (read from the index alone) or with `ids`.

    The plan depends on the database; on SQLite a `common` word (see `_is_common`) is matched
    by walking the sent_at index newest first and probing the matches, which stops after a page.
    """
    s = search_rows.c
    order: list[Any] = [s.sent_at.asc() if query.order == "oldest" else s.sent_at.desc(), s.doc.desc()]
    columns = [s.doc, s.message.label("id")] if ids else [s.doc]
    if (
        conn.dialect.name == "sqlite"
        and query.participant
        and not parsed.empty
        and query.order != "relevance"
    ):
        # The person's messages that hold the words, found in the two indexes before any message
        # row is read: a busy address has 40,000 messages, of which a few hundred hold the words.
        # ("+ 0": the address's entries drive, probing the words' matches, never the other way.)
        held = _participant_docs(query).where((participants.c.doc + 0).in_(_fts_rowids(parsed)))
        return (
            sa.select(*columns).where(*_filters(query, participant=False), s.doc.in_(held)).order_by(*order)
        )
    stmt = sa.select(*columns).where(*_filters(query))
    if parsed.empty:
        return stmt.order_by(*order)
    if conn.dialect.name == "postgresql":
        text_where, combined = _pg_text(parsed)
        if query.order == "relevance":
            order = [sa.func.ts_rank(_TSV, combined).desc(), s.doc.desc()]
        return stmt.where(*text_where).order_by(*order)
    if query.order == "relevance":
        fts = sa.table("comms_fts", sa.column("rowid"))
        ranked = [sa.literal_column("comms_fts.rank"), s.doc.desc()]
        return (
            stmt.select_from(fts.join(search_rows, s.doc == fts.c.rowid))
            .where(_fts_match(parsed))
            .order_by(*ranked)
        )
    if common:
        # "+ 0" keeps SQLite from driving by doc: it walks the sent_at index and probes the matches.
        return stmt.where((s.doc + 0).in_(_fts_rowids(parsed))).order_by(*order)
    return stmt.where(s.doc.in_(_fts_rowids(parsed))).order_by(*order)


def _details(conn: sa.Connection, parsed: ParsedQuery, docs: list[int]) -> dict[int, dict[str, Any]]:
    """Columns and a highlighted snippet for one page of hits (never for every match)."""
    s = search_rows.c
    columns = [s.doc, s.message.label("id"), s.source, s.sent_at, s.direction, s.has_attachments, s.kind]
    stmt = sa.select(*columns, s.sender, s.subject).where(s.doc.in_(docs))
    rows = {r.doc: dict(r._mapping) for r in conn.execute(stmt)}
    if parsed.empty:
        texts = sa.select(s.doc, sa.func.substr(s.text, 1, 240)).where(s.doc.in_(docs))
    elif conn.dialect.name == "postgresql":
        _, combined = _pg_text(parsed)
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=12, MaxFragments=2"
        texts = sa.select(s.doc, sa.func.ts_headline(_CONFIG, s.text, combined, options)).where(
            s.doc.in_(docs)
        )
    else:
        snippet: Any = sa.literal_column("snippet(comms_fts, -1, char(2), char(3), '…', 24)")
        rowid: Any = sa.literal_column("rowid")
        on_page: list[Any] = [rowid.in_(docs)]
        if docs and any(t.prefix for group in parsed.groups for t in group):
            # FTS5 expands a prefix into every word it starts for each rowid it is asked about;
            # one pass over the page's range of rowids expands it once (25 times faster).
            on_page = [rowid >= min(docs), rowid <= max(docs), (rowid + 0).in_(docs)]
        texts = (
            sa.select(rowid, snippet).select_from(sa.table("comms_fts")).where(_fts_match(parsed), *on_page)
        )
    for doc, text in conn.execute(texts):
        if doc in rows:
            rows[doc]["snippet"] = text
    return rows


def _highlights(marked: str) -> tuple[str, list[list[int]]]:
    """Strip the highlight marks, returning the plain snippet and [start, end) offsets of hits."""
    text: list[str] = []
    spans: list[list[int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{START}{STOP}])", marked):
        if piece == START:
            start = length
        elif piece == STOP:
            if start is not None and length > start:
                spans.append([start, length])
            start = None
        else:
            text.append(piece)
            length += len(piece)
    return "".join(text), spans


def _counted(conn: sa.Connection, matches: sa.Select[Any], cap: int | None) -> tuple[int, bool]:
    """How many rows `matches` gives, reading no further than `cap` + 1 of them."""
    if cap is not None:
        matches = matches.limit(cap + 1)
    counted = int(conn.execute(sa.select(sa.func.count()).select_from(matches.subquery())).scalar_one())
    if cap is not None and counted > cap:
        return cap, True
    return counted, False


def _page(conn: sa.Connection, query: SearchQuery, parsed: ParsedQuery) -> tuple[list[int], int, bool]:
    """The docs of one page (and one more, to tell whether there is a next), the total, and
    whether the total is only a lower bound ("more than").

    The last page needs no count. Otherwise the count reads no further than `count_up_to`
    matches, or the end of this page if that is further. Words alone are counted by the
    full-text index on its own (SQLite streams its matches). With any filter (a participant,
    dates, a source) SQLite counts along the page's own ordered plan, which stops at the limit;
    unordered, it would fetch the row of every message that holds the words to test the filter.
    """
    ranked = query.order == "relevance"
    sqlite = conn.dialect.name == "sqlite"
    common = sqlite and not parsed.empty and not ranked and _is_common(conn, parsed)
    stmt = _candidates(conn, query, parsed, common=common).limit(query.limit + 1).offset(query.offset)
    docs = [r.doc for r in conn.execute(stmt)]
    if (docs and len(docs) <= query.limit) or (not docs and not query.offset):
        return docs, query.offset + len(docs), False  # the last page: nothing more to count
    cap = None if query.count_up_to is None else max(query.count_up_to, query.offset + query.limit)
    if sqlite and not parsed.empty and not _filters(query):
        return docs, *_counted(conn, _fts_rowids(parsed), cap)
    if sqlite and cap is not None and not ranked:
        return docs, *_counted(conn, _candidates(conn, query, parsed, common=common), cap)
    return docs, *_counted(conn, _candidates(conn, query, parsed).order_by(None), cap)


def search(conn: sa.Connection, query: SearchQuery) -> SearchResult:
    """One page of hits, newest first unless asked otherwise, and how many match in all."""
    query.check()
    parsed = parse_query(query.text)
    docs, total, capped = _page(conn, query, parsed)
    result = SearchResult(more=len(docs) > query.limit, total=total, total_capped=capped)
    details = _details(conn, parsed, docs[: query.limit])
    for doc in docs[: query.limit]:
        row = details[doc]
        marked = (row.pop("snippet", None) or "").translate(_BLANKS)
        row["snippet"], row["highlights"] = _highlights(marked)
        result.hits.append(row)
    return result


def search_ids(conn: sa.Connection, query: SearchQuery) -> list[str]:
    """Every matching message id (no paging): what a legal hold or a production selects."""
    query.check()
    stmt = _candidates(conn, query, parse_query(query.text), ids=True)
    return [row.id for row in conn.execute(stmt)]


def unindex(conn: sa.Connection, message_ids: list[str]) -> int:
    """Remove disposed messages from the index (the full-text rows follow by trigger or column)."""
    removed = 0
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start : start + 500]
        docs = sa.select(search_rows.c.doc).where(search_rows.c.message.in_(chunk))
        conn.execute(participants.delete().where(participants.c.doc.in_(docs)))
        removed += conn.execute(search_rows.delete().where(search_rows.c.message.in_(chunk))).rowcount or 0
    return removed


# --- integrity of the index ---------------------------------------------------------------------
# The index decides what a search (a regulator's request, a reviewer's selection) finds, so a
# changed or deleted index row would hide a message while the record itself stays intact. It is
# derived data, not journaled, so `proctor journal verify` rebuilds what can be rebuilt from the
# journaled records and reports every difference.
_INDEX_FIELDS = ("source", "sent_at", "direction", "has_attachments", "kind", "subject")
MAX_INDEX_PROBLEMS = 50


def _text_matches(indexed: str, body: str | None) -> bool:
    return body is None or indexed == body or indexed.startswith(body + "\n\n")


def check_search_index(ws: Any) -> list[str]:
    """Every record indexed once, its index row matching the record, its addresses all listed.

    Text is rebuilt from the original bytes where the format allows one item on its own (e-mail,
    Outlook .msg); other formats' text is compared as far as their records allow (every field but
    the text itself).
    """
    from proctor.comms.rendering import body_from_original
    from proctor.comms.tables import messages

    problems: list[str] = []

    def add(text: str) -> None:
        if len(problems) < MAX_INDEX_PROBLEMS:
            problems.append(text)

    m, s = messages.c, search_rows.c
    stmt = (
        sa.select(
            m.id,
            m.blob_sha256,
            m.format,
            m.origin,
            m.participants,
            m.sender,
            *(m[f] for f in _INDEX_FIELDS),
            *(s[f].label(f"ix_{f}") for f in ("doc", "message", "sender", "text", *_INDEX_FIELDS)),
        )
        .select_from(messages.outerjoin(search_rows, s.message == m.id))
        .order_by(m.id)
    )
    with ws.read() as conn:
        orphans = conn.execute(
            sa.select(s.message).where(~sa.exists().where(m.id == s.message)).limit(MAX_INDEX_PROBLEMS)
        ).all()
        for (message,) in orphans:
            add(f"search index row for {message} has no record (a record's index entry was altered)")
        addresses: dict[int, set[str]] = {}
        for address, doc in conn.execute(sa.select(participants.c.address, participants.c.doc)):
            addresses.setdefault(doc, set()).add(address)
        for row in conn.execution_options(yield_per=5000).execute(stmt):
            r = row._mapping
            if r["ix_doc"] is None:
                add(f"record {r['id']} is not in the search index: no search can find it")
                continue
            changed = [f for f in _INDEX_FIELDS if r[f] != r[f"ix_{f}"]]
            if r["sender"].lower() != r["ix_sender"]:
                changed.append("sender")
            expected = {p["address"].lower()[:500] for p in r["participants"] if p.get("address")}
            if expected != addresses.get(r["ix_doc"], set()):
                changed.append("participants")
            if not changed:
                body = body_from_original(ws.blobs.get(r["blob_sha256"]), r["format"], r["origin"])
                if not _text_matches(r["ix_text"], body):
                    changed.append("text")
            if changed:
                add(f"search index row for record {r['id']} differs from the record in {', '.join(changed)}")
    return problems
