from ninja import NinjaAPI

from saferstat.core.api_docs import ApiDocs
from saferstat.intelligence.api import router as crime_router

api = NinjaAPI(
    title="SaferStat API",
    version="1",
    description="Read-only figures. Authenticate with `Authorization: Bearer <token>` "
    "(create one under Your API tokens), or read published partnerships without a token.",
    urls_namespace="api",
    docs=ApiDocs(),
)
api.add_router("/", crime_router)
