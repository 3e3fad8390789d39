from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/overview/", views.overview, name="overview_latest"),
    path("p/<slug:slug>/overview/<str:fy>/", views.overview, name="overview"),
    path("p/<slug:slug>/overview/<str:fy>/trend.svg", views.overview_trend_svg, name="overview_trend_svg"),
    path("p/<slug:slug>/imports/", views.import_list, name="import_list"),
    path("p/<slug:slug>/imports/upload/", views.import_upload, name="import_upload"),
    path("p/<slug:slug>/imports/<int:run_id>/", views.import_detail, name="import_detail"),
]
