from django.urls import path

from . import views

P = "p/<slug:slug>/performance/"

urlpatterns = [
    path(P, views.dashboard, name="performance_dashboard"),
    path(P + "summary/", views.summary, name="performance_summary"),
    path(P + "mine/", views.mine, name="performance_mine"),
    path(P + "late/", views.late, name="performance_late"),
    path(P + "highlights/", views.highlights, name="performance_highlights"),
    path(P + "returns/<int:return_id>/", views.return_detail, name="performance_return"),
    path(P + "indicators/<slug:code>/", views.indicator_detail, name="performance_indicator"),
    path(P + "indicators/<slug:code>/chart.svg", views.indicator_chart, name="performance_chart"),
]
