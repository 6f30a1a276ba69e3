from typing import Any

from ninja import Field, Schema


class ErasureIn(Schema):
    confirm_email: str = Field(max_length=254, description="The customer's email address, to confirm who is erased.")
    reason: str = Field(max_length=300, description="Why, for the audit log.")


class ErasureOut(Schema):
    customer_id: int
    changed: dict[str, int] = Field(description="Rows each part of the product anonymised or removed.")


class ExportOut(Schema):
    exported_at: Any
    customer: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]]
