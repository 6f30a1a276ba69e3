from django.contrib import admin

from advocacy.outreach.models import ContactAsk, FatiguePolicy, OutboundMail


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "status", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject", "key")
    readonly_fields = (
        "key",
        "to",
        "subject",
        "text",
        "html",
        "headers",
        "status",
        "error",
        "created_at",
        "claim",
        "handed_over_at",
        "sent_at",
    )


@admin.register(ContactAsk)
class ContactAskAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "ref", "asked_at")
    list_filter = ("kind",)
    raw_id_fields = ("customer",)


@admin.register(FatiguePolicy)
class FatiguePolicyAdmin(admin.ModelAdmin):
    list_display = ("survey_cooldown_days", "max_asks_per_quarter", "updated_at")
