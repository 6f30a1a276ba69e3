from django.contrib import admin

from advocacy.feedback.models import Invitation, Response, Survey, Theme, Wave


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "schedule", "next_wave_on", "active")
    list_filter = ("kind", "schedule", "active")


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ("survey", "number", "opened_at", "closes_at")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("survey", "wave", "customer", "channel", "status", "held_reason", "sent_at")
    list_filter = ("status", "channel", "survey")
    raw_id_fields = ("customer", "wave")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "customer", "score", "channel", "answered_at", "theme")
    list_filter = ("kind", "channel", "survey")
    search_fields = ("comment", "customer__email")
    raw_id_fields = ("customer", "invitation", "wave")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("label", "method", "found_at")
