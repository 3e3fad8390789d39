"""The intelligence app's models, one module per feature (the app label stays
``intelligence``): load jobs in :mod:`.jobs`, police.uk imports in :mod:`.imports.models`,
partner datasets in :mod:`.datasets.models`, data requests in :mod:`.requests.models`,
scheduled fetches of the police.uk archive in :mod:`.fetch_models`."""

from .datasets.models import DEMO_LABEL, PartnerDataset, PartnerUpload
from .fetch_models import FetchRun, FetchStatus
from .imports.models import ImportRun
from .jobs import ImportStatus, LoadJob
from .requests.models import DataRequest, DataRequestEvent, RequestStatus, SavedView

__all__ = [
    "DEMO_LABEL",
    "DataRequest",
    "DataRequestEvent",
    "FetchRun",
    "FetchStatus",
    "ImportRun",
    "ImportStatus",
    "LoadJob",
    "PartnerDataset",
    "PartnerUpload",
    "RequestStatus",
    "SavedView",
]
