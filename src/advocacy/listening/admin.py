from django.contrib import admin

from advocacy.listening.models import Alert, Flag, Mention, Query, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "last_fetch_at", "last_error"]
    exclude = ["secret"]


@admin.register(Query)
class QueryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active"]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["published_at", "source", "author", "sentiment", "customer"]
    raw_id_fields = ["customer", "duplicate_of"]
    exclude = ["minhash"]


admin.site.register(Alert)
admin.site.register(Flag)
