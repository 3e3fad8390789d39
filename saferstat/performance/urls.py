from django.urls import path

from . import views

app_name = "performance"

P = "p/<slug:slug>/performance/"

urlpatterns = [
    path(P, views.dashboard, name="dashboard"),
    path(P + "summary/", views.summary, name="summary"),
    path(P + "mine/", views.mine, name="mine"),
    path(P + "late/", views.late, name="late"),
    path(P + "highlights/", views.highlights, name="highlights"),
    path(P + "returns/<int:return_id>/", views.return_detail, name="return"),
    path(P + "indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path(P + "indicators/<slug:code>/chart.svg", views.indicator_chart, name="chart"),
]
