"""Report builds in the task worker (`manage.py db_worker`), as the imports run: a build
queued from the page, and the scheduled rebuild of out-of-date reports."""

from django_tasks import task


@task()
def build_report_version(version_id: int) -> str:
    """Build one queued report version (services.version_execute)."""
    from .services import version_execute

    return version_execute(version_id=version_id).status


@task()
def rebuild_reports() -> int:
    """Scheduled: rebuild every report whose latest version is out of date, as a new
    version (`manage.py queue_report_builds` from cron; runs shown on the jobs page)."""
    from .services import rebuild_stale_all

    return rebuild_stale_all()
