from django.urls import path

from . import views

app_name = "assessment"
P = "p/<slug:slug>/assessment/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "<int:pk>/", views.detail, name="detail"),
    path(P + "<int:pk>/issues/<int:issue_pk>/", views.issue, name="issue"),
    path(P + "<int:pk>/refresh/", views.refresh, name="refresh"),
    path(P + "consultations/<int:pk>/", views.consultation, name="consultation"),
    path(P + "tension/", views.tension, name="tension"),
    path(P + "tension/<int:pk>/", views.tension_detail, name="tension_detail"),
]
