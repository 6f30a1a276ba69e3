"""Ingest: from items a source delivered to stored mentions. Parse → match queries → drop exact
duplicates → sentiment → customer → near-duplicate group → store, a batch at a time in one transaction;
then the authenticity checks and the loop rules for what was new."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from advocacy.core.errors import InvalidInput
from advocacy.customers.models import Customer, SocialHandle, normalise_handle
from advocacy.feedback.learned.queries import sentiment_reader
from advocacy.listening.authenticity.services import flags_for_new_mentions
from advocacy.listening.mentions import minhash
from advocacy.listening.mentions.matching import CompiledQuery, active_queries, match_all
from advocacy.listening.models import Mention, MentionBand, Query, Source

NEAR_DUPLICATE_LOOKBACK = timedelta(days=14)  # near-duplicates are looked for among this window's mentions
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "web.de",
        "aol.com",
        "live.com",
        "example.com",
    }
)
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src)$", re.IGNORECASE)


@dataclass
class Incoming:
    """One item as a source delivered it."""

    text: str
    published_at: datetime
    url: str = ""
    external_id: str = ""
    author: str = ""
    handle: str = ""
    author_email: str = ""
    title: str = ""
    language: str = ""
    rating: int | None = None


@dataclass
class IngestResult:
    received: int = 0
    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    unmatched: int = 0

    def add(self, other: IngestResult) -> None:
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.unmatched += other.unmatched


def canonical_url(url: str) -> str:
    """The address without tracking parameters, fragment, default port or trailing slash; host lower-case."""
    if not url.strip():
        return ""
    parts = urlsplit(url.strip())
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    )
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/") or "/", query, ""))[:500]


def content_hash(author: str, text: str) -> str:
    """Same author, same words: one mention. Different authors with the same words stay apart (astroturf
    looks exactly like that)."""
    flat = re.sub(r"\s+", " ", text.strip().lower())
    return hashlib.sha256(f"{author.strip().lower()}\n{flat}".encode()).hexdigest()


def mentions_ingest(
    *,
    source: Source,
    items: list[Incoming],
    now: datetime | None = None,
    after_commit: bool = True,
    default_query: Query | None = None,
) -> IngestResult:
    """Store what is new among ``items`` and return the counts. Safe to run twice on the same items.
    An item that matches no query is dropped, or kept under ``default_query`` when one is given (reviews
    on a product's own page need not name it)."""
    now = now or timezone.now()
    queries = active_queries()
    result = IngestResult(received=len(items))
    matched = [prepared(item, queries, result, default_query) for item in items]
    fresh = drop_duplicates([m for m in matched if m is not None], result)
    for attempt in range(2):
        if not fresh:
            return result
        try:
            with transaction.atomic():
                result.stored = store(source, fresh, now)
                flags_for_new_mentions(mention_ids=result.stored, now=now)
            break
        except IntegrityError:
            if attempt:
                raise
            # Another process stored some of the same mentions in the meantime (two feeds, or a
            # retried webhook): they are duplicates now; store the rest.
            fresh = drop_duplicates(fresh, result)
    if after_commit:
        transaction.on_commit(lambda: tell_the_loop(result.stored))
    return result


def tell_the_loop(mention_ids: list[int]) -> None:
    from advocacy import loop  # the one way up: the loop wires mentions to cases, the hub and challenges

    for mention_id in mention_ids:
        loop.mention_recorded(mention_id)


@dataclass
class Prepared:
    item: Incoming
    url: str
    handle: str
    hash: str
    query_ids: list[int]
    terms: list[str]


def prepared(
    item: Incoming, queries: list[CompiledQuery], result: IngestResult, default_query: Query | None = None
) -> Prepared | None:
    text = item.text.strip()
    if not text:
        result.unmatched += 1
        return None
    query_ids, terms = match_all(queries, f"{item.title}\n{text}", item.language)
    if not query_ids and default_query is not None:
        query_ids = [default_query.pk]
    if not query_ids:
        result.unmatched += 1
        return None
    handle = normalise_handle(item.handle)[:100]
    return Prepared(item, canonical_url(item.url), handle, content_hash(handle or item.author, text), query_ids, terms)


def drop_duplicates(items: list[Prepared], result: IngestResult) -> list[Prepared]:
    """Drop exact duplicates: a canonical URL or content hash seen before, stored or earlier in the batch."""
    urls = {p.url for p in items if p.url}
    hashes = {p.hash for p in items}
    # The URL index is partial (non-empty URLs); the query names that condition so the index is used,
    # not a scan of every mention (SQLite and PostgreSQL do not infer it from the IN list).
    seen_urls = set(
        Mention.objects.filter(canonical_url__in=urls)
        .exclude(canonical_url="")
        .order_by()
        .values_list("canonical_url", flat=True)
    )
    seen_hashes = set(Mention.objects.filter(content_hash__in=hashes).order_by().values_list("content_hash", flat=True))
    fresh = []
    for p in items:
        if (p.url and p.url in seen_urls) or p.hash in seen_hashes:
            result.duplicates += 1
            continue
        seen_hashes.add(p.hash)
        if p.url:
            seen_urls.add(p.url)
        fresh.append(p)
    return fresh


def store(source: Source, items: list[Prepared], now: datetime) -> list[int]:
    """Score, match and group the batch, then write it with one statement per table (executemany of plain
    values: building a model per row and preparing each field through the ORM cost more than the rest of
    the ingest). Returns the new mentions' ids in the order of ``items``."""
    texts = [p.item.text.strip() for p in items]
    scores = sentiment_reader().scored(texts)
    customers = customers_for(items)
    signatures = minhash.signatures(texts)
    keys = minhash.band_keys(signatures)
    roots = near_duplicate_roots(items, signatures, keys)
    prep = field_preparer(connection)
    received = prep("received_at", now)  # the same for the whole batch
    blobs = signature_blobs(signatures)
    rows_insert(
        Mention,
        MENTION_COLUMNS,
        [
            (
                source.pk,
                p.url,
                p.item.external_id[:200],
                p.item.author[:200],
                p.handle,
                p.item.author_email.strip().lower()[:254],
                p.item.title[:300],
                text,
                (p.item.language or "")[:8],
                prep("published_at", p.item.published_at),
                received,
                p.item.rating,
                max(-1.0, min(1.0, score or 0.0)),
                method,
                prep("matched_terms", p.terms),
                customer,
                matched_by,
                p.hash,
                blob,
            )
            for p, text, (score, method), (customer, matched_by), blob in zip(
                items, texts, scores, customers, blobs, strict=True
            )
        ],
    )
    ids = ids_by_hash([p.hash for p in items])
    link_groups(ids, roots)
    rows_insert(MentionBand, ["mention", "key"], band_rows(items, ids, keys))
    rows_insert(
        Mention.queries.through,
        ["mention", "query"],
        [(i, q) for i, p in zip(ids, items, strict=True) for q in p.query_ids],
    )
    return ids


def band_rows(items: list[Prepared], ids: list[int], keys: np.ndarray) -> list[tuple[int, int]]:
    """(mention, filed key) for every band of the batch, in key order: written in the order of the index,
    the rows land on neighbouring index pages (a third faster on SQLite than in batch order)."""
    periods = np.fromiter((minhash.period_of(p.item.published_at) for p in items), dtype=np.int64, count=len(items))
    filed = minhash.filed(keys, periods).ravel()
    owners = np.repeat(np.asarray(ids, dtype=np.int64), keys.shape[1])
    order = np.argsort(filed, kind="stable")
    return list(zip(owners[order].tolist(), filed[order].tolist(), strict=True))


def signature_blobs(signatures: np.ndarray) -> list[bytes]:
    """Each signature as the bytes the mention stores, cut from one buffer of the whole batch."""
    whole = minhash.to_bytes(signatures)
    size = minhash.NUM_PERM * 4
    return [whole[start : start + size] for start in range(0, len(whole), size)]


MENTION_COLUMNS = [
    "source",
    "canonical_url",
    "external_id",
    "author",
    "handle",
    "author_email",
    "title",
    "text",
    "language",
    "published_at",
    "received_at",
    "rating",
    "sentiment",
    "sentiment_method",
    "matched_terms",
    "customer",
    "matched_by",
    "content_hash",
    "minhash",
]


def field_preparer(connection: BaseDatabaseWrapper) -> Callable[[str, Any], Any]:
    """A mention field's value as the database takes it: times through the backend's adapter, JSON
    through its field (backends differ); bytes go as they are."""
    matched_terms = Mention._meta.get_field("matched_terms")
    adapters: dict[str, Callable[[Any], Any]] = {
        "published_at": connection.ops.adapt_datetimefield_value,
        "received_at": connection.ops.adapt_datetimefield_value,
        "matched_terms": lambda value: matched_terms.get_db_prep_save(value, connection),
        "minhash": bytes,
    }
    return lambda name, value: adapters[name](value)


def rows_insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Write ``rows`` (``columns`` named by field, values already in database form) with one statement:
    ``COPY`` on PostgreSQL, an ``executemany`` of one INSERT elsewhere (psycopg's executemany sends a
    statement a row, slower than the rest of the ingest together)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    names = ", ".join(quote(column_of(meta.get_field(c))) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})", rows)  # noqa: S608 (names from the model)


def column_of(field: models.Field[Any, Any] | ForeignObjectRel) -> str:
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{field} has no column of its own")
    return column


def ids_by_hash(hashes: list[str]) -> list[int]:
    """The ids of just-stored mentions, by their unique content hash, in the order given."""
    found = dict(Mention.objects.filter(content_hash__in=hashes).order_by().values_list("content_hash", "pk"))
    return [found[h] for h in hashes]


def link_groups(ids: list[int], roots: list[int | None]) -> None:
    """Point each near-duplicate at the first mention of its group (stored, or new in this batch)."""
    changed = []
    for pk, root in zip(ids, roots, strict=True):
        if root is None:
            continue
        # A root in this batch is an earlier item of it.
        target = ids[root - minhash.NEW_KEY_OFFSET] if root >= minhash.NEW_KEY_OFFSET else root
        if target != pk:
            changed.append((target, pk))
    if changed:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(Mention._meta.db_table)} SET {quote('duplicate_of_id')} = %s WHERE {quote('id')} = %s",  # noqa: S608
                changed,
            )


def near_duplicate_roots(items: list[Prepared], signatures: np.ndarray, keys: np.ndarray) -> list[int | None]:
    """For each new item, the key of its group's root (a stored id, or NEW_KEY_OFFSET + batch position).
    The stored candidates are the window's mentions that share a band key with the batch, found through
    the band index rather than by reading the window: each item's band keys filed under every period of
    its own window, looked up as one list."""
    times = [p.item.published_at for p in items]
    since, until = min(times) - NEAR_DUPLICATE_LOOKBACK, max(times) + NEAR_DUPLICATE_LOOKBACK
    window = [connection.ops.adapt_datetimefield_value(since), connection.ops.adapt_datetimefield_value(until)]
    found = {
        pk: (root, bytes(signature))
        for pk, root, signature, inside in mentions_by_id(band_owners(probe_keys(times, keys)), window)
        if inside
    }
    stored = np.frombuffer(b"".join(signature for _, signature in found.values()), dtype=np.uint32)
    return minhash.group_roots(
        signatures,
        stored.reshape(len(found), minhash.NUM_PERM),
        [root or pk for pk, (root, _) in found.items()],
    )


# The two lookups below are shaped so that each can only be an index probe, whatever the planner's
# statistics say. Planned as one join, PostgreSQL (its statistics behind a table that grows with every
# batch, or never gathered) walked the window's mentions and scanned the band index for each, 1.3 s a
# batch; asked for the keys as one list it read the whole band table (P5b).


def band_owners(keys: list[int]) -> list[int]:
    """The mentions that have any of the filed band ``keys``."""
    band = connection.ops.quote_name(MentionBand._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One probe of the band index a key: OFFSET 0 keeps the subquery a probe, not a join input.
            # Without statistics the planner prices the probes high enough to compile the query to
            # machine code first (JIT), which took longer than the probes (10–13 ms a batch).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"SELECT DISTINCT b.mention_id FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL "  # noqa: S608 (names from the models)
                f"(SELECT mention_id FROM {band} WHERE key = k.key OFFSET 0) AS b",
                [keys],
            )
        else:  # the keys as one JSON list: SQLite takes at most 999 parameters a statement
            cursor.execute(
                f"SELECT DISTINCT mention_id FROM {band} WHERE key IN (SELECT value FROM json_each(%s))",  # noqa: S608
                [json.dumps(keys)],
            )
        return [pk for (pk,) in cursor.fetchall()]


def mentions_by_id(ids: list[int], window: list[Any]) -> list[tuple[int, int | None, bytes, bool]]:
    """Each mention's id, group root, signature and whether it was published within ``window`` (asked in
    the select list, so that the publication index is never a way in)."""
    if not ids:
        return []
    mention = connection.ops.quote_name(Mention._meta.db_table)
    among = "= ANY(%s)" if connection.vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, duplicate_of_id, minhash, (published_at >= %s AND published_at <= %s) "  # noqa: S608
            f"FROM {mention} WHERE id {among}",
            [*window, ids if connection.vendor == "postgresql" else json.dumps(ids)],
        )
        return [(pk, root, signature, bool(inside)) for pk, root, signature, inside in cursor.fetchall()]


def probe_keys(times: list[datetime], keys: np.ndarray) -> list[int]:
    """The filed band keys a batch looks up: each item's keys under each period of its window."""
    first = np.asarray([minhash.period_of(t - NEAR_DUPLICATE_LOOKBACK) for t in times], dtype=np.int64)
    last = np.asarray([minhash.period_of(t + NEAR_DUPLICATE_LOOKBACK) for t in times], dtype=np.int64)
    probes = [
        minhash.filed(keys[first + step <= last], (first + step)[first + step <= last])
        for step in range(int((last - first).max()) + 1)
    ]
    return np.unique(np.concatenate([p.ravel() for p in probes])).tolist()


def customers_for(items: list[Prepared]) -> list[tuple[int | None, str]]:
    """The known customer behind each item, by handle, then email, then the domain of their email (only
    where one customer alone has that domain, and never a free-mail one); (None, "") when unknown."""
    handles = dict(
        SocialHandle.objects.filter(handle__in={p.handle for p in items if p.handle}).values_list(
            "handle", "customer_id"
        )
    )
    emails = {p.item.author_email.strip().lower() for p in items if "@" in p.item.author_email}
    by_email = dict(Customer.objects.filter(email__in=emails).values_list("email", "pk"))
    by_domain = customers_by_domain({domain_of(p) for p in items} - {""})
    found: list[tuple[int | None, str]] = []
    for p in items:
        email = p.item.author_email.strip().lower()
        if p.handle in handles:
            found.append((handles[p.handle], "handle"))
        elif email in by_email:
            found.append((by_email[email], "email"))
        elif domain_of(p) in by_domain:
            found.append((by_domain[domain_of(p)], "domain"))
        else:
            found.append((None, ""))
    return found


def domain_of(p: Prepared) -> str:
    email = p.item.author_email.strip().lower()
    domain = email.rsplit("@", 1)[1] if "@" in email else ""
    return "" if domain in FREE_MAIL else domain


def customers_by_domain(domains: set[str]) -> dict[str, int]:
    if not domains:
        return {}
    condition = Q()
    for domain in domains:
        condition |= Q(email__endswith=f"@{domain}")
    owners: dict[str, list[int]] = {}
    for pk, email in Customer.objects.filter(condition).values_list("pk", "email")[: 10 * len(domains) + 10]:
        owners.setdefault(email.rsplit("@", 1)[1], []).append(pk)
    return {domain: pks[0] for domain, pks in owners.items() if len(pks) == 1}


def check_query(*, name: str, kind: str, terms: list[str]) -> None:
    from advocacy.listening.models import QueryKind

    errors = {}
    if Query.objects.filter(name=name.strip()).exists():
        errors["name"] = "a query with this name exists"
    if kind not in QueryKind.values:
        errors["kind"] = f"one of {', '.join(QueryKind.values)}"
    if not any(t.strip() for t in terms):
        errors["terms"] = "at least one term"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def query_create(
    *,
    name: str,
    kind: str,
    terms: list[str],
    misspellings: list[str] | None = None,
    exclusions: list[str] | None = None,
    languages: list[str] | None = None,
) -> Query:
    check_query(name=name, kind=kind, terms=terms)

    def clean(words: list[str]) -> list[str]:
        return [w.strip() for w in words if w.strip()]

    return Query.objects.create(
        name=name.strip(),
        kind=kind,
        terms=clean(terms),
        misspellings=clean(misspellings or []),
        exclusions=clean(exclusions or []),
        languages=[lang.strip().lower() for lang in languages or [] if lang.strip()],
    )
