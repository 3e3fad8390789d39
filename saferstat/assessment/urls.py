from django.urls import path

from . import views

app_name = "assessment"
P = "p/<slug:slug>/assessment/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "<int:pk>/", views.detail, name="detail"),
    path(P + "<int:pk>/issues/<int:issue_pk>/", views.issue, name="issue"),
    path(P + "<int:pk>/refresh/", views.refresh, name="refresh"),
    path(P + "<int:pk>/matrix/", views.matrix, name="matrix"),
    path(P + "<int:pk>/priority-matrix.svg", views.priority_chart, name="priority_chart"),
    path(P + "<int:pk>/document/", views.document, name="document"),
    path(P + "<int:pk>/document.pdf", views.document_pdf, name="document_pdf"),
    path(
        P + "<int:pk>/document/views/<int:view_pk>/chart.svg",
        views.document_chart,
        name="document_chart",
    ),
    path(P + "consultations/<int:pk>/", views.consultation, name="consultation"),
    path(P + "consultations/<int:pk>/responses/", views.responses, name="responses"),
    path(P + "tension/", views.tension, name="tension"),
    path(P + "tension/<int:pk>/", views.tension_detail, name="tension_detail"),
]
