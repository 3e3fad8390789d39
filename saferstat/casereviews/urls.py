from django.urls import path

from . import views

app_name = "casereviews"
P = "p/<slug:slug>/case-reviews/"

urlpatterns = [
    path(P, views.cases, name="cases"),
    path(P + "<int:application_id>/", views.case_detail, name="case_detail"),
    path(P + "settings/", views.settings_page, name="settings"),
    path(P + "import/", views.import_cases, name="import"),
    path(P + "figures/", views.figures, name="figures"),
    path(P + "map/", views.ward_map, name="map"),
    path(P + "calls/", views.calls, name="calls"),
    path(P + "calls/<int:call_id>/", views.call_detail, name="call_detail"),
]
