from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from saferstat.intelligence.api import router as crime_router

api = NinjaAPI(
    title="SaferStat API",
    version="1",
    description="Read-only figures. Authenticate with `Authorization: Bearer <token>` "
    "(create one under Your API tokens), or read published partnerships without a token.",
    urls_namespace="api",
    docs_decorator=require_safe,  # the schema and its page are read, never posted to
)
api.add_router("/", crime_router)
