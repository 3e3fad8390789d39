from django.urls import path

from . import views

app_name = "delivery"
P = "p/<slug:slug>/delivery/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "streams/<int:stream_id>/", views.stream_detail, name="stream_detail"),
    path(P + "streams/<int:stream_id>/edit/", views.stream_edit, name="stream_edit"),
    path(P + "grants/<int:grant_id>/remove/", views.grant_remove, name="grant_remove"),
    path(P + "streams/<int:stream_id>/achieved/", views.stream_achieved, name="stream_achieved"),
    path(P + "projects/", views.project_list, name="project_list"),
    path(P + "projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path(P + "returns/<int:return_id>/", views.return_detail, name="return_detail"),
    path(P + "late/", views.late, name="late"),
    path(P + "communications/", views.communications, name="communications"),
    path(
        P + "communications/<int:communication_id>/file/",
        views.communication_file,
        name="communication_file",
    ),
    path(P + "engagement/", views.engagement, name="engagement"),
]
