from django.urls import path

from . import views

app_name = "plan"

urlpatterns = [
    path("p/<slug:slug>/plan/", views.plan_detail, name="detail"),
    path("p/<slug:slug>/plan/edit/", views.plan_edit, name="edit"),
    path("p/<slug:slug>/plan/versions/<int:number>/", views.plan_version, name="version"),
]
