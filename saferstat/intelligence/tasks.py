"""Background tasks. The services are imported when a task runs, not when this module is
imported, so that queueing a task (the web app, `recover_stuck_jobs`) stays cheap."""

from django_tasks import task


@task()
def load_policeuk_upload(run_id: int) -> str:
    """Background task: load one uploaded police.uk file into the warehouse."""
    from .imports.services import import_run_execute

    return import_run_execute(run_id=run_id).status


@task()
def load_partner_upload(upload_id: int) -> str:
    """Background task: validate one uploaded partner file and store it (all or nothing)."""
    from .datasets.services import partner_upload_execute

    return partner_upload_execute(upload_id=upload_id).status


@task()
def fetch_policeuk() -> str:
    """Scheduled: fetch the police.uk archive and load the forces' new months (fetch.py).
    Queue it daily or weekly: `manage.py queue_policeuk_fetch` from cron (docs/fetch.md)."""
    from .fetch import SCHEDULED, policeuk_fetch

    return policeuk_fetch(actor=SCHEDULED).status
