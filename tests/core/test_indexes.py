"""Every index earns its writes: no table of ours indexes a column alone where another index or unique
constraint already leads with it (advocacy.core.indexes says why)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from advocacy.core.indexes import indexes_of, single_column_index_names

pytestmark = pytest.mark.django_db


def indexes_served_by_another(table: str) -> list[str]:
    indexes = [index for index in indexes_of(connection, table) if not index.partial and index.columns]
    leaders = {index.columns[0]: index.name for index in indexes if len(index.columns) > 1}
    return [
        f"{table}.{index.name} ({index.columns[0]}) is served by {leaders[index.columns[0]]}"
        for index in indexes
        if len(index.columns) == 1 and not index.unique and index.columns[0] in leaders
    ]


def test_no_foreign_key_keeps_an_index_that_another_index_already_serves():
    tables = sorted({model._meta.db_table for model in apps.get_models() if model.__module__.startswith("advocacy.")})

    redundant = [line for table in tables for line in indexes_served_by_another(table)]

    assert redundant == [], "declare these foreign keys db_index=False:\n" + "\n".join(redundant)


def test_the_orders_of_a_customer_are_still_found_by_an_index():
    """The composite index that replaced the key's own still serves a lookup by customer."""
    leading = [
        index.columns for index in indexes_of(connection, "customers_order") if index.columns[:1] == ("customer_id",)
    ]

    assert leading == [("customer_id", "ordered_on")]
    assert single_column_index_names(connection, "customers_order", "product_id")  # a key no index leads keeps its own
