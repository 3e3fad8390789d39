from django.urls import path

from . import views

app_name = "dataprotection"
P = "p/<slug:slug>/personal-data/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "requests/", views.requests_page, name="requests"),
]
