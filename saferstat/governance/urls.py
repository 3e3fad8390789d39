from django.urls import path

from . import views

app_name = "governance"
P = "p/<slug:slug>/governance/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "bodies/<int:body_id>/", views.body_detail, name="body_detail"),
    path(P + "bodies/<int:body_id>/edit/", views.body_edit, name="body_edit"),
    path(P + "bodies/<int:body_id>/remove/", views.body_remove, name="body_remove"),
    path(P + "bodies/<int:body_id>/meetings.ics", views.body_ics, name="body_ics"),
    path(P + "meetings.ics", views.meetings_ics, name="meetings_ics"),
    path(P + "public/", views.public_meetings, name="public_meetings"),
    path(P + "items/<int:item_id>/", views.item_detail, name="item_detail"),
    path(P + "items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path(P + "papers/<int:paper_id>/", views.paper_download, name="paper_download"),
    path(P + "papers/<int:paper_id>/remove/", views.paper_remove, name="paper_remove"),
    path(P + "bodies/<int:body_id>/attendance/", views.attendance_table, name="attendance"),
    path(P + "meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path(P + "actions/", views.action_log, name="action_log"),
    path(P + "actions/<int:action_id>/", views.action_detail, name="action_detail"),
    path(P + "recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        P + "recommendations/<int:rec_id>/",
        views.recommendation_detail,
        name="recommendation_detail",
    ),
    path(P + "seats/<int:seat_id>/", views.seat_edit, name="seat_edit"),
    path(P + "seats/<int:seat_id>/remove/", views.seat_remove, name="seat_remove"),
    path(P + "resolutions/<int:resolution_id>/", views.resolution_edit, name="resolution_edit"),
    path(
        P + "resolutions/<int:resolution_id>/remove/",
        views.resolution_remove,
        name="resolution_remove",
    ),
    path(P + "actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path(P + "actions/<int:action_id>/remove/", views.action_remove, name="action_remove"),
    path(P + "programme/<int:wp_id>/", views.work_programme_edit, name="work_programme_edit"),
    path(
        P + "programme/<int:wp_id>/remove/",
        views.work_programme_remove,
        name="work_programme_remove",
    ),
    path(P + "calendar/", views.calendar, name="calendar"),
    path(P + "calendar/<int:duty_id>/", views.duty_edit, name="duty_edit"),
    path(P + "dhr/", views.dhr_list, name="dhr_list"),
    path(P + "dhr/<int:dhr_id>/", views.dhr_edit, name="dhr_edit"),
    path(P + "settings/", views.settings_page, name="settings"),
    path(P + "jobs/", views.jobs, name="jobs"),
]
