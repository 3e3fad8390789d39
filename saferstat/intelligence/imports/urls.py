"""police.uk imports: a partnership's pages (``imports:``) and, since a police.uk month
belongs to the force (docs/security.md), the force administrators' pages (``force:``)."""

from django.urls import path

from . import force_views, views

app_name = "imports"
P = "p/<slug:slug>/imports/"

urlpatterns = [
    path(P, views.import_list, name="list"),
    path(P + "upload/", views.import_upload, name="upload"),
    path(P + "<int:run_id>/", views.import_detail, name="detail"),
]

F = "force/<slug:force>/imports/"

#: Included under the ``force`` namespace by saferstat/intelligence/urls.py.
force_urlpatterns = [
    path(F, force_views.force_imports, name="imports"),
    path(F + "upload/", force_views.force_upload, name="upload"),
    path(F + "<int:run_id>/", force_views.force_import_detail, name="import_detail"),
]
