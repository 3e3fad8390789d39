from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/plan/", views.plan_detail, name="plan_detail"),
    path("p/<slug:slug>/plan/versions/<int:number>/", views.plan_version, name="plan_version"),
]
