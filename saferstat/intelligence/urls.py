from django.urls import path

from . import explorer_views, force_views, partner_views, request_views, views

urlpatterns = [
    path("p/<slug:slug>/overview/", views.overview, name="overview_latest"),
    path("p/<slug:slug>/overview/<str:fy>/", views.overview, name="overview"),
    path(
        "p/<slug:slug>/overview/<str:fy>/trend.svg",
        views.overview_trend_svg,
        name="overview_trend_svg",
    ),
    path("p/<slug:slug>/imports/", views.import_list, name="import_list"),
    path("p/<slug:slug>/imports/upload/", views.import_upload, name="import_upload"),
    path("p/<slug:slug>/imports/<int:run_id>/", views.import_detail, name="import_detail"),
    # Force data: police.uk months belong to the force (docs/security.md)
    path("force/<slug:force>/imports/", force_views.force_imports, name="force_imports"),
    path("force/<slug:force>/imports/upload/", force_views.force_upload, name="force_upload"),
    path(
        "force/<slug:force>/imports/<int:run_id>/",
        force_views.force_import_detail,
        name="force_import_detail",
    ),
    # Partner datasets (docs/partner-data.md)
    path("p/<slug:slug>/datasets/", partner_views.dataset_list, name="partner_dataset_list"),
    path(
        "p/<slug:slug>/datasets/declare/",
        partner_views.dataset_declare,
        name="partner_dataset_declare",
    ),
    path(
        "p/<slug:slug>/datasets/<slug:dataset>/",
        partner_views.dataset_detail,
        name="partner_dataset_detail",
    ),
    path(
        "p/<slug:slug>/datasets/<slug:dataset>/edit/",
        partner_views.dataset_edit,
        name="partner_dataset_edit",
    ),
    path(
        "p/<slug:slug>/datasets/<slug:dataset>/template.csv",
        partner_views.dataset_template,
        name="partner_dataset_template",
    ),
    path(
        "p/<slug:slug>/datasets/<slug:dataset>/upload/", partner_views.upload, name="partner_upload"
    ),
    path(
        "p/<slug:slug>/datasets/<slug:dataset>/uploads/<int:upload_id>/",
        partner_views.upload_detail,
        name="partner_upload_detail",
    ),
    path("p/<slug:slug>/requests/", request_views.request_list, name="request_list"),
    path("p/<slug:slug>/requests/new/", request_views.request_new, name="request_new"),
    path(
        "p/<slug:slug>/requests/<int:request_id>/",
        request_views.request_detail,
        name="request_detail",
    ),
    path("p/<slug:slug>/explore/", explorer_views.explorer_page, name="explorer"),
    path("p/<slug:slug>/explore/save/", explorer_views.explorer_save, name="explorer_save"),
]
