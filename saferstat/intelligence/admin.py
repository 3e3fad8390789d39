from django.contrib import admin

from .models import ImportRun, PartnerDataset, PartnerUpload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "partnership",
        "force_slug",
        "month",
        "status",
        "rows_loaded",
        "created_at",
    ]
    list_filter = ["partnership", "force_slug", "status"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PartnerDataset)
class PartnerDatasetAdmin(admin.ModelAdmin):
    """Read-only: datasets are declared and changed on the partnership's pages (audited)."""

    list_display = ["name", "partnership", "slug", "sensitive", "shared_with_scrutiny", "is_demo"]
    list_filter = ["partnership", "sensitive", "is_demo"]
    readonly_fields = [f.name for f in PartnerDataset._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PartnerUpload)
class PartnerUploadAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "dataset",
        "partnership",
        "status",
        "rows_loaded",
        "created_at",
    ]
    list_filter = ["partnership", "status"]
    readonly_fields = [f.name for f in PartnerUpload._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
