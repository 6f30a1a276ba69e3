from django.contrib import admin

from advocacy.outreach.models import OutboundMail


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "status", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject", "key")
    readonly_fields = ("key", "to", "subject", "text", "html", "headers", "status", "error", "created_at", "sent_at")
