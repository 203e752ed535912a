"""The plan page in a real browser: the project manager opens the Gantt chart of the demo's workplace
renewal, lengthens the pilot by dragging its bar's right edge, and sees, without reloading the page, the
roll-out, its milestone, the plan's finish and the office move that waits for it move later; then
stretches the floor support past its slack and sees the critical path move onto it.

The screenshots are the user guide's (docs/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.planning.models import Task
from regie.portfolio.models import Project
from regie.portfolio.tests.test_browser_portfolio import _sign_in

pytestmark = [pytest.mark.browser]


def _distance(page, first: int, second: int) -> float:
    """How far right of the first task's bar the second's starts, in pixels."""
    boxes = [page.locator(f'g.gantt-bar[data-task-id="{pk}"] .gantt-bar-body').first.bounding_box() for pk in (first, second)]
    return boxes[1]["x"] - boxes[0]["x"]


def _stretch(page, task: int, pixels: float) -> None:
    """Drag the right edge of a task's bar ``pixels`` to the right and wait for the server's answer."""
    handle = page.locator(f'g.gantt-bar[data-task-id="{task}"] .gantt-handle-resize')
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    with page.expect_response(lambda r: r.url.endswith("/plan/edit/")) as answer:
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(box["x"] + pixels, y, steps=8)
        page.mouse.up()
    assert answer.value.status == 200


def _critical(page) -> set[int]:
    """The tasks drawn as critical."""
    return {int(i) for i in page.eval_on_selector_all("g.gantt-bar.critical", "bars => bars.map(b => b.dataset.taskId)")}


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

    # the project manager stretches the pilot: the roll-out, its milestone and the office move in the
    # other project move later, on the page, without reloading it
    title = f'g.gantt-bar[data-task-id="{done.pk}"] title'
    title_before = page.locator(title).first.text_content()
    distance = _distance(page, pilot.pk, done.pk)
    finish_before = page.locator("#plan-finish").text_content()
    _stretch(page, pilot.pk, 160)
    expect(page.locator(title).first).not_to_have_text(title_before)
    expect(page.locator("#plan-finish")).not_to_have_text(finish_before)
    assert _distance(page, pilot.pk, done.pk) > distance + 20
    assert {pilot.pk, done.pk} <= _critical(page)
    pilot.refresh_from_db()
    done.refresh_from_db()
    desks.refresh_from_db()
    assert done.finish > before and desks.start > desks_before
    assert done.critical and pilot.critical
    _shot(page, "planning-gantt-moved")

    # floor support runs beside the second wave and the disposal with three weeks to spare; stretched past them, it becomes
    # the critical one and the second wave is no longer critical: the red path moves
    support = Task.objects.get(plan__project=project, name="Floor support")
    wave2 = Task.objects.get(plan__project=project, name="Wave 2: regional offices")
    critical = _critical(page)
    assert wave2.pk in critical and support.pk not in critical
    page.click('.gantt-zoom [data-zoom="month"]')  # the whole roll-out in view
    _stretch(page, support.pk, 100)
    expect(page.locator(f'g.gantt-bar.critical[data-task-id="{support.pk}"]')).to_have_count(1)
    expect(page.locator(f'g.gantt-bar.critical[data-task-id="{wave2.pk}"]')).to_have_count(0)
    assert Task.objects.get(plan__project=project, name="Dispose of old laptops").pk not in _critical(page)
    support.refresh_from_db()
    wave2.refresh_from_db()
    assert support.critical and not wave2.critical
    _shot(page, "planning-gantt-critical-moved")

    # at phone width the chart still works: the grid keeps WBS and names, the timeline scrolls
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector(f'g.gantt-bar[data-task-id="{pilot.pk}"]')
    context.close()
    assert not errors, errors
