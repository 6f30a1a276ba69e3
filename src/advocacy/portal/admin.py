from django.contrib import admin
from django.http import HttpRequest

from advocacy.portal.models import MagicLink


@admin.register(MagicLink)
class MagicLinkAdmin(admin.ModelAdmin):
    """Read-only: links are made by the sign-in page; only hashes are stored."""

    list_display = ("customer", "created_at", "expires_at", "used_at")
    raw_id_fields = ("customer",)
    readonly_fields = ("customer", "token_hash", "created_at", "expires_at", "used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
