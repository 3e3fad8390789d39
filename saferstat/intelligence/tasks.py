from django_tasks import task

from .services import import_run_execute


@task()
def load_policeuk_upload(run_id: int) -> str:
    """Background task: load one uploaded police.uk file into the warehouse."""
    return import_run_execute(run_id=run_id).status
