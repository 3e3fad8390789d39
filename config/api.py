from ninja import NinjaAPI

from saferstat.intelligence.api import router as crime_router
from saferstat.performance.api import router as performance_router

api = NinjaAPI(
    title="SaferStat API",
    version="1",
    description="Figures, indicators and quarterly returns. Authenticate with `Authorization: Bearer <token>` "
    "(create one under Your API tokens), or read published partnerships without a token.",
    urls_namespace="api",
)
api.add_router("/", crime_router)
api.add_router("/", performance_router)
