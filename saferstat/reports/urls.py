from django.urls import path

from . import views

app_name = "reports"
P = "p/<slug:slug>/reports/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "published/", views.archive, name="archive"),
    path(P + "published/feed.xml", views.feed, name="feed"),
    path(P + "disclosure/", views.disclosure, name="disclosure"),
    path(P + "contacts/", views.contacts, name="contacts"),
    path(P + "contacts/<int:service_id>/", views.contact_edit, name="contact_edit"),
    path(P + "contacts/<int:service_id>/remove/", views.contact_remove, name="contact_remove"),
    path(P + "<int:report_id>/", views.detail, name="detail"),
    path(P + "<int:report_id>/edit/", views.edit, name="edit"),
    path(P + "<int:report_id>/publish/", views.publish, name="publish"),
    path(P + "<int:report_id>/versions/", views.versions, name="versions"),
    path(P + "<int:report_id>/versions/<int:number>/", views.version, name="version"),
    path(P + "<int:report_id>/report.pdf", views.pdf, name="pdf"),
    path(P + "<int:report_id>/annex/", views.annex, name="annex"),
]
