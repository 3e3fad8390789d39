from django.urls import path

from . import views

app_name = "requests"
P = "p/<slug:slug>/requests/"

urlpatterns = [
    path(P, views.request_list, name="list"),
    path(P + "new/", views.request_new, name="new"),
    path(P + "<int:request_id>/", views.request_detail, name="detail"),
]
