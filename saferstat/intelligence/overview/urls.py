from django.urls import path

from . import views

app_name = "overview"
P = "p/<slug:slug>/overview/"

urlpatterns = [
    path(P, views.overview, name="latest"),
    path(P + "<str:fy>/", views.overview, name="year"),
    path(P + "<str:fy>/trend.svg", views.overview_trend_svg, name="trend_svg"),
]
