from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEvent,
    ForceAdministrator,
    Membership,
    Organisation,
    Partnership,
    PartnershipArea,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class ForceAdministratorInline(admin.TabularInline):
    model = ForceAdministrator
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline, ForceAdministratorInline]
    fieldsets = BaseUserAdmin.fieldsets + (("SaferStat", {"fields": ("display_name",)}),)


class AreaInline(admin.TabularInline):
    model = PartnershipArea
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "force_slug", "overview_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AreaInline]
    filter_horizontal = ["neighbours"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "kind", "is_responsible_authority"]
    list_filter = ["partnership", "kind"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "organisation"]
    list_filter = ["partnership", "role"]


@admin.register(ForceAdministrator)
class ForceAdministratorAdmin(admin.ModelAdmin):
    """Who may load, replace and approve a force's police.uk months (docs/security.md)."""

    list_display = ["user", "force_slug", "created_at"]
    list_filter = ["force_slug"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows cannot be added, changed or deleted through the app."""

    list_display = [
        "at",
        "actor",
        "actor_label",
        "partnership",
        "verb",
        "object_type",
        "object_repr",
    ]
    list_filter = ["partnership", "verb", "object_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
