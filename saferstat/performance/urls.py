from django.urls import path

from . import setup_views, views

app_name = "performance"

P = "p/<slug:slug>/performance/"

urlpatterns = [
    path(P, views.dashboard, name="dashboard"),
    path(P + "summary/", views.summary, name="summary"),
    path(P + "public/", views.public, name="public"),
    path(P + "mine/", views.mine, name="mine"),
    path(P + "late/", views.late, name="late"),
    path(P + "highlights/", views.highlights, name="highlights"),
    path(P + "calendar/", setup_views.calendar, name="calendar"),
    path(P + "rag-rule/", setup_views.rag_rule, name="rag_rule"),
    path(P + "import/", setup_views.values_upload, name="values_upload"),
    path(P + "import/template.csv", setup_views.values_template, name="values_template"),
    path(P + "returns/<int:return_id>/", views.return_detail, name="return"),
    path(P + "indicators/", setup_views.indicator_list, name="indicator_list"),
    path(P + "indicators/new/", setup_views.indicator_new, name="indicator_new"),
    path(P + "indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path(P + "indicators/<slug:code>/edit/", setup_views.indicator_edit, name="indicator_edit"),
    path(P + "indicators/<slug:code>/chart.svg", views.indicator_chart, name="chart"),
]
