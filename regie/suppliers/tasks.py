"""Contract management's background job, every hour: approved versions whose start has come are put into
force (see ``services.versions_bring_into_force``), then the reminders of notice, renewal and end dates and
of obligations' due dates are sent (see ``reminders.send_due``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _

from regie.core.jobs import every, task
from regie.core.models import Job


@task("suppliers.send_reminders")
def send_reminders(job: Job) -> dict[str, Any]:
    """Bring due versions into force, then send what is due; each reminder once, however often this runs."""
    from regie.suppliers.reminders import send_due
    from regie.suppliers.services import versions_bring_into_force

    in_force = versions_bring_into_force()
    counts = send_due()
    return {
        "in_force": in_force,
        **counts,
        "message": _("Sent %(deadlines)s deadline reminders and %(obligations)s obligation reminders.") % counts,
    }


every("Agreement deadlines and obligation reminders", "suppliers.send_reminders", timedelta(hours=1))
