"""Turn the ``<thing>_id`` fields of an API body into rows, with a field error for an unknown id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model

from advocacy.core.errors import InvalidInput


def resolve(data: dict[str, Any], refs: Mapping[str, tuple[type[Model], str]]) -> dict[str, Any]:
    """Swap ``account_id``-style ids for rows, with a field error for an id that does not exist."""
    errors: dict[str, str] = {}
    for id_field, (model, name) in refs.items():
        if id_field not in data:
            continue
        pk = data.pop(id_field)
        if pk is None:
            data[name] = None
            continue
        row = model._default_manager.filter(pk=pk).first()
        if row is None:
            errors[id_field] = f"no {model._meta.verbose_name} with id {pk}"
        data[name] = row
    if errors:
        raise InvalidInput(errors)
    return data
