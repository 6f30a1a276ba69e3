"""Which queries a text matches: whole-word terms and misspellings, any case, unless an exclusion appears,
in one of the query's languages (a text of unknown language passes)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from advocacy.listening.models import Query


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({p.strip().lower() for p in phrases if p and p.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class CompiledQuery:
    id: int
    name: str
    kind: str
    terms: re.Pattern[str] | None
    exclusions: re.Pattern[str] | None
    languages: frozenset[str]

    def matches(self, text: str, language: str) -> list[str]:
        """The terms the text matched (lower-case, in order of first appearance); [] when it does not match."""
        if self.terms is None:
            return []
        if self.languages and language and language.split("-")[0].lower() not in self.languages:
            return []
        found = list(dict.fromkeys(m.group(1).lower() for m in self.terms.finditer(text)))
        if not found or (self.exclusions is not None and self.exclusions.search(text)):
            return []
        return found


def compile_query(query: Query) -> CompiledQuery:
    return CompiledQuery(
        id=query.pk,
        name=query.name,
        kind=query.kind,
        terms=phrase_pattern([*query.terms, *query.misspellings]),
        exclusions=phrase_pattern(query.exclusions),
        languages=frozenset(lang.lower() for lang in query.languages),
    )


def active_queries() -> list[CompiledQuery]:
    return [compile_query(q) for q in Query.objects.filter(active=True).order_by("pk")]


def match_all(queries: list[CompiledQuery], text: str, language: str) -> tuple[list[int], list[str]]:
    """Ids of the queries ``text`` matches and every term it matched."""
    ids: list[int] = []
    terms: list[str] = []
    for query in queries:
        found = query.matches(text, language)
        if found:
            ids.append(query.id)
            terms.extend(t for t in found if t not in terms)
    return ids, terms
