from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("saferstat.core.urls")),
    path("", include("saferstat.intelligence.urls")),
    path("", include("saferstat.governance.urls")),
    path("", include("saferstat.plan.urls")),
    path("", include("saferstat.performance.urls")),
    path("", include("saferstat.casereviews.urls")),
    path("", include("saferstat.reports.urls")),
    path("", include("saferstat.assessment.urls")),
    path("", include("saferstat.delivery.urls")),
    path("", include("saferstat.dataprotection.urls")),
]

handler400 = "saferstat.core.views.bad_request"
handler403 = "saferstat.core.views.permission_denied"
handler404 = "saferstat.core.views.page_not_found"
handler500 = "saferstat.core.views.server_error"
