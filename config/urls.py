from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("saferstat.core.urls")),
    path("", include("saferstat.intelligence.urls")),
    path("", include("saferstat.plan.urls")),
    path("", include("saferstat.performance.urls")),
]
