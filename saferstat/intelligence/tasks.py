from django_tasks import task

from .partner_services import partner_upload_execute
from .services import import_run_execute


@task()
def load_policeuk_upload(run_id: int) -> str:
    """Background task: load one uploaded police.uk file into the warehouse."""
    return import_run_execute(run_id=run_id).status


@task()
def load_partner_upload(upload_id: int) -> str:
    """Background task: validate one uploaded partner file and store it (all or nothing)."""
    return partner_upload_execute(upload_id=upload_id).status
