from django.contrib import admin

from advocacy.casework.models import (
    Appointment,
    Breach,
    BusinessCalendar,
    CadencePolicy,
    Case,
    CaseEvent,
    CaseSettings,
    Department,
    Holiday,
    Huddle,
    HuddleTask,
    Prevention,
    Problem,
    QueueView,
    Recommendation,
    ReplyTemplate,
    StaffAvailability,
    Transfer,
)


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "opens", "closes")
    inlines = [HolidayInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Owner and status changes go through the case page (a transfer records its reason; resolving
    records the resolution, the prevention step and tells the customer), not here."""

    list_display = ("id", "subject", "customer", "owner", "status", "priority", "next_due")
    list_filter = ("status", "priority", "category", "source")
    search_fields = ("subject", "customer__email")
    raw_id_fields = ("customer", "recurrence_of", "problem")
    readonly_fields = (
        "owner",
        "status",
        "resolved_at",
        "closed_at",
        "first_response_due",
        "next_update_due",
        "resolution_due",
        "next_due",
        "paused_at",
        "paused_remaining",
        "warned_for",
    )


for model in (CadencePolicy, CaseSettings, Department, Problem, StaffAvailability):
    admin.site.register(model)


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "visible_to_customer", "at")
    list_filter = ("kind", "visible_to_customer")
    raw_id_fields = ("case",)


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("case", "from_owner", "to_owner", "reason", "at")
    raw_id_fields = ("case",)


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "due_at", "owner", "recorded_at")
    list_filter = ("kind",)
    raw_id_fields = ("case",)


@admin.register(Huddle)
class HuddleAdmin(admin.ModelAdmin):
    list_display = ("case", "meeting_at", "created_by")
    raw_id_fields = ("case",)


@admin.register(HuddleTask)
class HuddleTaskAdmin(admin.ModelAdmin):
    list_display = ("huddle", "department", "assignee", "due_at", "status", "escalated_at")
    list_filter = ("status", "department")


@admin.register(Prevention)
class PreventionAdmin(admin.ModelAdmin):
    list_display = ("case", "root_cause_category", "action_owner", "action_due", "verify_on", "verified_at")
    list_filter = ("root_cause_category",)
    raw_id_fields = ("case",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("topic", "customer", "staff", "starts_at", "status")
    list_filter = ("status",)
    raw_id_fields = ("customer", "case")


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("customer", "product", "fit", "cheaper_than_current", "competitor", "outcome", "recorded_at")
    list_filter = ("outcome", "competitor", "cheaper_than_current")
    raw_id_fields = ("customer", "case")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "updated_at", "updated_by")
    list_filter = ("active",)
    search_fields = ("name", "body")


@admin.register(QueueView)
class QueueViewAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "query", "created_at")
    search_fields = ("name", "owner__username")
