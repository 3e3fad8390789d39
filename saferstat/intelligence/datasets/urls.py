"""Partner datasets (docs/partner-data.md)."""

from django.urls import path

from . import views

app_name = "datasets"
P = "p/<slug:slug>/datasets/"
D = P + "<slug:dataset>/"

urlpatterns = [
    path(P, views.dataset_list, name="list"),
    path(P + "declare/", views.dataset_declare, name="declare"),
    path(D, views.dataset_detail, name="detail"),
    path(D + "edit/", views.dataset_edit, name="edit"),
    path(D + "template.csv", views.dataset_template, name="template"),
    path(D + "upload/", views.upload, name="upload"),
    path(D + "uploads/<int:upload_id>/", views.upload_detail, name="upload_detail"),
]
