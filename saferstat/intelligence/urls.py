"""The intelligence app's pages: one URL namespace per feature (docs/architecture.md)."""

from django.urls import include, path

from .imports.urls import force_urlpatterns

urlpatterns = [
    path("", include("saferstat.intelligence.overview.urls")),
    path("", include("saferstat.intelligence.imports.urls")),
    path("", include((force_urlpatterns, "force"))),
    path("", include("saferstat.intelligence.datasets.urls")),
    path("", include("saferstat.intelligence.explorer.urls")),
    path("", include("saferstat.intelligence.requests.urls")),
]
