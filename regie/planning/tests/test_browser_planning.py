"""The plan page in a real browser: the project manager opens the Gantt chart of the demo's workplace
renewal, lengthens the pilot by dragging its bar's right edge, and sees the roll-out, its milestone and
the office move that waits for it move later, with the critical path still drawn in red.

The screenshots are the user guide's (docs/screenshots/)."""

from __future__ import annotations

import pytest

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.planning.models import Task
from regie.portfolio.models import Project
from regie.portfolio.tests.test_browser_portfolio import _sign_in

pytestmark = [pytest.mark.browser]


def test_gantt_duration_change_moves_successors(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    project = Project.objects.get(code="P-001")
    pilot = Task.objects.get(plan__project=project, name="Pilot with 50 users")
    done = Task.objects.get(plan__project=project, name="All laptops replaced")
    desks = Task.objects.get(plan__project__code="P-002", name="Move the desks")
    before, desks_before = done.finish, desks.start
    errors: list[str] = []
    context, page = _sign_in(browser, live_server.url, "pm", errors)
    page.goto(f"{live_server.url}/projects/{project.pk}/plan/")
    page.wait_for_selector(f'g.gantt-bar[data-task-id="{pilot.pk}"]')
    assert page.locator("g.gantt-bar.critical").count() > 0
    assert page.locator("path.gantt-link").count() >= 10
    assert page.locator(".gantt-baseline").count() > 0
    _shot(page, "planning-gantt")

    # the milestone's tooltip names its dates
    title = f'g.gantt-bar[data-task-id="{done.pk}"] title'
    title_before = page.locator(title).first.text_content()
    handle = page.locator(f'g.gantt-bar[data-task-id="{pilot.pk}"] .gantt-handle-resize')
    box = handle.bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/plan/edit/")) as answer:
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + 160, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
    assert answer.value.status == 200
    page.reload()
    page.wait_for_selector(f'g.gantt-bar[data-task-id="{done.pk}"]')
    assert page.locator(title).first.text_content() != title_before
    pilot.refresh_from_db()
    done.refresh_from_db()
    desks.refresh_from_db()
    assert done.finish > before and desks.start > desks_before
    assert done.critical and pilot.critical
    assert page.locator(f'g.gantt-bar.critical[data-task-id="{done.pk}"]').count() == 1
    _shot(page, "planning-gantt-moved")

    # at phone width the chart still works: the grid keeps WBS and names, the timeline scrolls
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector(f'g.gantt-bar[data-task-id="{pilot.pk}"]')
    context.close()
    assert not errors, errors
