"""Ingest: from items a source delivered to stored mentions. Parse → match queries → drop exact
duplicates → sentiment → customer → near-duplicate group → store, a batch at a time in one transaction;
then the authenticity checks and the loop rules for what was new."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from advocacy.core.errors import InvalidInput
from advocacy.customers.models import Customer, SocialHandle, normalise_handle
from advocacy.feedback.learned.queries import sentiment_reader
from advocacy.listening.authenticity.services import flags_for_new_mentions
from advocacy.listening.mentions import minhash
from advocacy.listening.mentions.matching import CompiledQuery, active_queries, match_all
from advocacy.listening.models import Mention, Query, Source

NEAR_DUPLICATE_LOOKBACK = timedelta(days=14)  # near-duplicates are looked for among this window's mentions
NEW_KEY_OFFSET = 10**15  # LSH keys of a batch's new mentions: above every stored id, so stored roots win
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
                stored = store(source, fresh, now)
                result.stored = [m.pk for m in stored]
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
    seen_urls = set(Mention.objects.filter(canonical_url__in=urls).values_list("canonical_url", flat=True))
    seen_hashes = set(Mention.objects.filter(content_hash__in=hashes).values_list("content_hash", flat=True))
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


def store(source: Source, items: list[Prepared], now: datetime) -> list[Mention]:
    reader = sentiment_reader()
    scores = reader.scored([p.item.text for p in items])
    customers = customers_for(items)
    signatures = [minhash.signature(p.item.text) for p in items]
    roots = near_duplicate_roots(items, signatures)
    rows = [
        Mention(
            source=source,
            canonical_url=p.url,
            external_id=p.item.external_id[:200],
            author=p.item.author[:200],
            handle=p.handle,
            author_email=p.item.author_email.strip().lower()[:254],
            title=p.item.title[:300],
            text=p.item.text.strip(),
            language=(p.item.language or "")[:8],
            published_at=p.item.published_at,
            received_at=now,
            rating=p.item.rating,
            sentiment=max(-1.0, min(1.0, score[0] or 0.0)),
            sentiment_method=score[1],
            matched_terms=p.terms,
            customer_id=customers[i][0],
            matched_by=customers[i][1],
            content_hash=p.hash,
            minhash=minhash.to_bytes(signature),
        )
        for i, (p, score, signature) in enumerate(zip(items, scores, signatures, strict=True))
    ]
    Mention.objects.bulk_create(rows)
    if not all(r.pk for r in rows):  # backends that do not return ids: read them back by their unique hash
        ids = dict(
            Mention.objects.filter(content_hash__in=[r.content_hash for r in rows]).values_list("content_hash", "pk")
        )
        for r in rows:
            r.pk = ids[r.content_hash]
    link_groups(rows, roots)
    through = Mention.queries.through
    through.objects.bulk_create(
        [through(mention_id=r.pk, query_id=q) for r, p in zip(rows, items, strict=True) for q in p.query_ids]
    )
    return rows


def link_groups(rows: list[Mention], roots: list[int | None]) -> None:
    """Point each near-duplicate at the first mention of its group (stored, or new in this batch)."""
    changed = []
    for row, root in zip(rows, roots, strict=True):
        if root is None:
            continue
        # A root in this batch is an earlier item of it (the index held only those before this one).
        target = rows[root - NEW_KEY_OFFSET].pk if root >= NEW_KEY_OFFSET else root
        if target != row.pk:
            row.duplicate_of_id = target
            changed.append(row)
    Mention.objects.bulk_update(changed, ["duplicate_of"])


def near_duplicate_roots(items: list[Prepared], signatures: list[np.ndarray]) -> list[int | None]:
    """For each new item, the key of its group's root (a stored id, or NEW_KEY_OFFSET + batch position)."""
    times = [p.item.published_at for p in items]
    recent = Mention.objects.filter(
        published_at__gte=min(times) - NEAR_DUPLICATE_LOOKBACK, published_at__lte=max(times) + NEAR_DUPLICATE_LOOKBACK
    ).values_list("pk", "duplicate_of_id", "minhash")
    rows = list(recent)
    group_roots = {pk: root or pk for pk, root, _ in rows}
    stored = np.frombuffer(b"".join(bytes(signature) for _, _, signature in rows), dtype=np.uint32)
    index = minhash.Index([pk for pk, _, _ in rows], stored)
    found: list[int | None] = []
    for i, values in enumerate(signatures):
        key = NEW_KEY_OFFSET + i
        root = minhash.group_of(index, key, values, group_roots)
        found.append(root if root != key else None)
    return found


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
