"""The daily clean-up: every app registers its jobs here, ``manage.py housekeeping`` runs them all.

A job is ``job(now=..., dry_run=...) -> dict[str, int]`` (what it removed or would remove, by name).
Apps register theirs in ``AppConfig.ready``; this module imports no app. The portal's own job
deletes finished rows of the task table (``django_tasks_db``) after ``TASKS_KEEP_FINISHED_DAYS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("portal.housekeeping")

Job = Callable[..., dict[str, int]]

_jobs: dict[str, Job] = {}


def register(name: str, job: Job) -> None:
    _jobs[name] = job


def registered() -> list[str]:
    return list(_jobs)


def run(*, now: datetime | None = None, dry_run: bool = False, only: list[str] | None = None) -> dict[str, int]:
    """Run the registered jobs in registration order; one failing job does not stop the others."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    failures = []
    for name, job in _jobs.items():
        if only and name not in only:
            continue
        try:
            result = job(now=now, dry_run=dry_run)
        except Exception:
            logger.exception("housekeeping job failed job=%s", name)
            failures.append(name)
            continue
        for key, value in result.items():
            counts[key] = counts.get(key, 0) + value
        logger.info("housekeeping job=%s dry_run=%s %s", name, dry_run, result)
    if failures:
        raise HousekeepingFailed(failures)
    return counts


class HousekeepingFailed(Exception):
    def __init__(self, names: list[str]) -> None:
        super().__init__(f"housekeeping jobs failed: {', '.join(names)}")
        self.names = names


def prune_task_results(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """Finished (done or failed) task rows older than TASKS_KEEP_FINISHED_DAYS; waiting ones stay."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = now - timedelta(days=settings.TASKS_KEEP_FINISHED_DAYS)
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    )
    count = finished.count() if dry_run else finished.delete()[0]
    return {"task results": count}
