"""Planning's reads: the Gantt chart's data, task rows, link candidates and the portfolio's
cross-project dependencies."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.planning import calendars, services
from regie.planning.models import BaselineTask, Link, Plan, Task
from regie.portfolio.models import Project


def _iso(moment: Any) -> str | None:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else None


def gantt_labels() -> dict[str, str]:
    return {
        "task": _("Task"), "start": _("Start"), "finish": _("Finish"), "duration": _("Duration"), "today": _("Today"),
        "critical": _("Critical"), "baseline": _("Baseline"), "slack": _("Slack"), "zoom_day": _("Day"),
        "zoom_week": _("Week"), "zoom_month": _("Month"), "zoom_quarter": _("Quarter"),
        "delete_link_confirm": _("Remove this link?"), "wbs": _("WBS"), "name": _("Name"),
        "collapse": _("Collapse"), "expand": _("Expand"), "milestone": _("Milestone"), "summary": _("Summary"),
        "external": _("Other project"),
    }  # fmt: skip


def gantt_data(plan: Plan, user: Any) -> dict[str, Any]:
    rows = list(
        Task.objects.filter(plan=plan)
        .order_by("position")
        .values(
            "id",
            "wbs",
            "name",
            "parent_id",
            "is_summary",
            "milestone",
            "start",
            "finish",
            "duration",
            "duration_unit",
            "elapsed",
            "critical",
            "total_slack",
            "percent_complete",
        )  # fmt: skip
    )
    depth: dict[int, int] = {}
    baseline = {}
    if plan.baseline_id:
        baseline = {
            task_id: (start, finish)
            for task_id, start, finish in BaselineTask.objects.filter(baseline_id=plan.baseline_id).values_list(
                "task_id", "start", "finish"
            )
        }
    editable = services.may_edit(user, plan.project)
    tasks = []
    for row in rows:
        level = depth.get(row["parent_id"], -1) + 1 if row["parent_id"] else 0
        depth[row["id"]] = level
        b_start, b_finish = baseline.get(row["id"], (None, None))
        tasks.append(
            {
                "id": row["id"], "wbs": row["wbs"], "name": row["name"], "level": level, "parent": row["parent_id"],
                "summary": row["is_summary"], "milestone": row["milestone"], "start": _iso(row["start"]),
                "finish": _iso(row["finish"]),
                "duration_label": services.label(row["duration"], row["duration_unit"], plan, row["elapsed"]),
                "baseline_start": _iso(b_start), "baseline_finish": _iso(b_finish), "critical": row["critical"],
                "total_slack_label": services.label(row["total_slack"], "d", plan),
                "percent_complete": row["percent_complete"], "editable": editable and not row["is_summary"],
                "external": False, "project_code": None,
            }
        )  # fmt: skip
    links = []
    external: dict[int, dict[str, Any]] = {}
    for link in Link.objects.filter(successor__plan=plan).select_related("predecessor__plan__project"):
        if link.predecessor.plan_id != plan.pk:
            other = link.predecessor
            if not permissions.may(user, "portfolio.view_project", other.plan.project):
                continue
            external[other.pk] = {
                "id": other.pk, "wbs": "", "name": other.name, "level": 0, "parent": None, "summary": False,
                "milestone": other.milestone, "start": _iso(other.start), "finish": _iso(other.finish),
                "duration_label": services.label(other.duration, other.duration_unit, other.plan, other.elapsed),
                "baseline_start": None, "baseline_finish": None, "critical": other.critical, "total_slack_label": "",
                "percent_complete": other.percent_complete, "editable": False, "external": True,
                "project_code": other.plan.project.code,
            }  # fmt: skip
        links.append(
            {
                "id": link.pk, "pred": link.predecessor_id, "succ": link.successor_id, "type": link.type,
                "lag_label": _lag_label(link, plan), "external": link.predecessor.plan_id != plan.pk,
            }
        )  # fmt: skip
    return {"today": timezone.localdate().isoformat(), "tasks": list(external.values()) + tasks, "links": links}


def _lag_label(link: Link, plan: Plan) -> str:
    if not link.lag:
        return ""
    if link.lag_kind == "percent":
        return f"{link.lag:g}%"
    return services.label(link.lag, link.lag_unit, plan, link.lag_kind == "elapsed")


def task_rows(plan: Plan) -> list[dict[str, Any]]:
    variance = services.variance(plan)
    rows = []
    for task in Task.objects.filter(plan=plan).order_by("position").select_related("owner"):
        finish_variance = variance.get(task.pk, {}).get("finish")
        rows.append(
            {
                "task": task,
                "duration": services.label(task.duration, task.duration_unit, plan, task.elapsed),
                "slack": services.label(task.total_slack, "d", plan),
                "finish_variance": services.label(finish_variance, "d", plan) if finish_variance else "",
                "late": bool(finish_variance and finish_variance > 0),
            }
        )
    return rows


def link_candidates(task: Task, user: Any) -> list[Task]:
    """Tasks this one may come to depend on: its own plan's others, and milestones and tasks of other
    projects the user sees (the most recent hundred)."""
    own = list(Task.objects.filter(plan=task.plan).exclude(pk=task.pk).order_by("position"))
    visible = Project.objects.visible_to(user, "portfolio.view_project").exclude(pk=task.plan.project_id)
    others = list(
        Task.objects.filter(plan__project__in=visible, is_summary=False)
        .select_related("plan__project")
        .order_by("-milestone", "plan__project__code", "position")[:200]
    )
    return own + others


def external_links(plan: Plan) -> list[Link]:
    return list(
        Link.objects.filter(successor__plan=plan)
        .exclude(predecessor__plan=plan)
        .select_related("predecessor__plan__project", "successor")
    )


def cross_project(user: Any) -> dict[str, Any]:
    """Per pair of projects, the links between them; and the slipped ones: a milestone (or task) whose
    predecessor in another project now finishes later than in that project's chosen baseline, or that
    itself finishes later than its own baseline because of it."""
    visible = Project.objects.visible_to(user, "portfolio.view_project")
    links = list(
        Link.objects.exclude(predecessor__plan=F("successor__plan"))
        .filter(successor__plan__project__in=visible, predecessor__plan__project__in=visible)
        .select_related("predecessor__plan__project", "successor__plan__project", "predecessor__plan", "successor__plan")
    )
    wanted = Q()
    for link in links:
        for task in (link.predecessor, link.successor):
            if task.plan.baseline_id:
                wanted |= Q(task_id=task.pk, baseline_id=task.plan.baseline_id)
    baseline_finish = (
        dict(BaselineTask.objects.filter(wanted).values_list("task_id", "finish")) if wanted else {}
    )  # one query for every task's finish in its plan's chosen baseline
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    slipped = []
    working: dict[int, Any] = {}  # each predecessor plan's calendar: a slip counts in its working days
    for link in links:
        holder, held = link.predecessor.plan.project, link.successor.plan.project
        pair = pairs.setdefault((holder.pk, held.pk), {"holder": holder, "held": held, "links": []})
        planned = baseline_finish.get(link.predecessor.pk)
        slip = None
        if planned and link.predecessor.finish and link.predecessor.finish > planned:
            plan = link.predecessor.plan
            if plan.pk not in working:
                working[plan.pk] = calendars.engine_calendar(plan.calendar)
            minutes = services.working_between(working[plan.pk], planned, link.predecessor.finish)
            if minutes and minutes > 0:  # later in working time, not only across a weekend
                slip = services.label(minutes, "d", plan)
        own = baseline_finish.get(link.successor.pk)
        late = bool(own and link.successor.finish and link.successor.finish > own)
        entry = {"link": link, "slip": slip, "late": late}
        pair["links"].append(entry)
        if slip is not None:
            slipped.append(entry)
    return {"pairs": list(pairs.values()), "slipped": slipped}
