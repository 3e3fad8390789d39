from django.urls import path

from . import views

app_name = "explorer"
P = "p/<slug:slug>/explore/"

urlpatterns = [
    path(P, views.explorer_page, name="page"),
    path(P + "save/", views.explorer_save, name="save"),
]
