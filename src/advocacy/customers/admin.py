from django.contrib import admin
from django.http import HttpRequest

from advocacy.customers.models import (
    Account,
    Consent,
    ContactWindow,
    Customer,
    EngagementEvent,
    ImportJob,
    Order,
    Product,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "industry", "region", "size", "owner", "external_id")
    list_filter = ("kind", "industry", "region", "size")
    search_fields = ("name", "external_id")
    raw_id_fields = ("owner",)


class ContactWindowInline(admin.TabularInline):
    model = ContactWindow
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "account", "status", "primary_advocate", "external_id")
    list_filter = ("status", "account__region", "account__industry")
    search_fields = ("email", "first_name", "last_name", "external_id", "phone")
    raw_id_fields = ("account", "primary_advocate")
    inlines = [ContactWindowInline]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consent history is append-only: rows can be added here but never edited or deleted."""

    list_display = ("customer", "purpose", "granted", "source", "recorded_at", "recorded_by")
    list_filter = ("purpose", "granted", "source")
    search_fields = ("customer__email",)
    raw_id_fields = ("customer", "recorded_by")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "competitor", "category", "price", "currency", "margin_pct", "active")
    list_filter = ("competitor", "category", "active")
    search_fields = ("name", "external_id")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "customer", "product", "kind", "amount", "currency", "ordered_on")
    list_filter = ("kind", "currency")
    search_fields = ("external_id", "customer__email")
    raw_id_fields = ("customer", "product")
    date_hierarchy = "ordered_on"


@admin.register(EngagementEvent)
class EngagementEventAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "occurred_at", "value")
    list_filter = ("kind",)
    search_fields = ("customer__email", "external_id")
    raw_id_fields = ("customer",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "file_name", "status", "dry_run", "atomic", "created_by")
    list_filter = ("kind", "status")
    readonly_fields = ("report",)


@admin.register(ContactWindow)
class ContactWindowAdmin(admin.ModelAdmin):
    list_display = ("customer", "weekday", "starts", "ends")
    raw_id_fields = ("customer",)
