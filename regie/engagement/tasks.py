"""The engagement app's background job: the emails of communication plans, action reminders and
meeting packs (see ``communication.send_due``), every hour."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _

from regie.core.jobs import every, task
from regie.core.models import Job


@task("engagement.send_communication")
def send_communication(job: Job) -> dict[str, Any]:
    """Send what is due; each email once, however often this runs."""
    from regie.engagement.communication import send_due

    counts = send_due()
    return {
        **counts,
        "message": _("Sent %(announcements)s announcements, %(milestones)s milestones, %(reminders)s reminders, %(packs)s packs.")
        % counts,
    }


every("Communication plans, action reminders and meeting packs", "engagement.send_communication", timedelta(hours=1))
