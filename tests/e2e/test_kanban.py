"""The kanban board in a browser: a card dragged with the mouse moves to another column and the
column totals follow without a page reload; a won or lost column asks why; a stale card snaps
back; keyboard users move a card through its "Move to…" menu."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Passphrase!"
EMAIL = "vera.vendas@example.com"


@pytest.fixture
def seller(transactional_db: Any) -> Any:
    from elo.identity.services import roles_ensure_defaults, team_create, user_create

    roles_ensure_defaults()
    team = team_create(actor=None, name="Lisboa")
    return user_create(
        actor=None,
        email=EMAIL,
        password=PASSWORD,
        role="sales_rep",
        team=team,
        full_name="Vera Vendas",
    )


@pytest.fixture
def deals(seller: Any) -> dict[str, Any]:
    from elo.sales import services

    pipeline = services.pipeline_ensure_default()
    stages = {stage.name: stage for stage in pipeline.stages.all()}
    made = {
        title: services.deal_create(
            actor=seller, data={"title": title, "amount": amount, "owner": seller.pk}
        )
        for title, amount in [("Ovens", "1000"), ("Mixers", "500"), ("Freezers", "250")]
    }
    return {"pipeline": pipeline, "stages": stages, **made}


def _sign_in(page: Any, base: str) -> None:
    from django.urls import reverse

    page.goto(base + reverse("identity:login"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + reverse("web:home"))


def _drag(page: Any, card: Any, column: Any) -> None:
    """Presses the mouse on the card's amount, moves in steps to the column and lets go."""
    start = card.locator("[data-amount]").bounding_box()
    target = column.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 80, steps=12)
    page.mouse.up()


def test_drag_cards_between_columns_and_move_by_keyboard(
    page: Any, page_watch: Any, live_server: Any, deals: dict[str, Any]
) -> None:
    from django.urls import reverse
    from playwright.sync_api import expect

    from elo.sales import services
    from elo.sales.models import Deal

    base = live_server.url
    stages = deals["stages"]
    _sign_in(page, base)
    page.locator("nav.navbar").get_by_role("link", name="Deals", exact=True).click()
    page.get_by_role("link", name="Board").click()
    expect(page).to_have_url(base + reverse("sales:board"))
    page.evaluate("window.eloNoReload = 'still here'")

    def column(name: str) -> Any:
        return page.locator(f"#column-{stages[name].pk}")

    def card(deal: Any) -> Any:
        return page.locator(f"#deal-{deal.pk}")

    expect(column("Prospecting").locator("[data-count]")).to_have_text("3")
    expect(column("Prospecting").locator("[data-total]")).to_have_text("R$ 1,750.00")
    expect(column("Qualification").locator("[data-count]")).to_have_text("0")

    # Drag "Ovens" to Qualification: the columns' counts and sums follow, the page stays.
    _drag(page, card(deals["Ovens"]), column("Qualification"))
    expect(column("Qualification").locator("[data-count]")).to_have_text("1")
    expect(column("Qualification").locator("[data-total]")).to_have_text("R$ 1,000.00")
    expect(column("Qualification").locator("[data-weighted]")).to_have_text("R$ 250.00")
    expect(column("Qualification")).to_contain_text("Ovens")
    expect(column("Prospecting").locator("[data-count]")).to_have_text("2")
    expect(column("Prospecting").locator("[data-total]")).to_have_text("R$ 750.00")
    expect(page.locator("#board-status")).to_contain_text("Moved Ovens to Qualification.")
    moved = Deal.objects.get(pk=deals["Ovens"].pk)
    assert (moved.stage_id, moved.version) == (stages["Qualification"].pk, 2)

    # Dropping on the lost column asks why; cancelling leaves the card where it was.
    _drag(page, card(deals["Mixers"]), column("Closed Lost"))
    dialog = page.locator("#board-reason")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Why was it lost?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(column("Prospecting")).to_contain_text("Mixers")
    _drag(page, card(deals["Mixers"]), column("Closed Lost"))
    dialog.get_by_label("Reason").fill("Too expensive")
    dialog.get_by_role("button", name="Move").click()
    expect(column("Closed Lost").locator("[data-count]")).to_have_text("1")
    expect(column("Closed Lost")).to_contain_text("Mixers")
    lost = Deal.objects.get(pk=deals["Mixers"].pk)
    assert (lost.status, lost.close_reason) == ("lost", "Too expensive")

    # Someone else changes "Freezers" meanwhile: the move is refused and the card snaps back.
    services.deal_update(
        actor=deals["Freezers"].owner, deal=deals["Freezers"], data={"amount": "300"}
    )
    _drag(page, card(deals["Freezers"]), column("Proposal"))
    expect(page.locator("#board-status")).to_contain_text("Someone changed this record")
    expect(column("Prospecting")).to_contain_text("Freezers")
    expect(column("Proposal").locator("[data-count]")).to_have_text("0")
    expect(column("Prospecting").locator("[data-total]")).to_have_text("R$ 300.00")
    assert Deal.objects.get(pk=deals["Freezers"].pk).stage_id == stages["Prospecting"].pk
    expected_refusal = [r for r in page_watch.failed_responses if r.startswith("412 ")]
    assert len(expected_refusal) == 1
    page_watch.failed_responses.remove(expected_refusal[0])

    # Keyboard: the card's menu moves the (now current) card without dragging.
    freezers = card(deals["Freezers"])
    freezers.locator("summary").focus()
    page.keyboard.press("Enter")
    stage_select = freezers.get_by_label("Stage")
    stage_select.focus()
    stage_select.select_option(label="Proposal")
    freezers.get_by_role("button", name="Move").focus()
    page.keyboard.press("Enter")
    expect(column("Proposal").locator("[data-count]")).to_have_text("1")
    expect(column("Proposal")).to_contain_text("Freezers")
    expect(column("Prospecting").locator("[data-count]")).to_have_text("0")
    expect(page.locator(f"#deal-{deals['Freezers'].pk} summary")).to_be_focused()
    assert Deal.objects.get(pk=deals["Freezers"].pk).stage_id == stages["Proposal"].pk

    assert page.evaluate("window.eloNoReload") == "still here", "the board reloaded the page"
    assert page.url == base + reverse("sales:board")
    page_watch.assert_clean()


def test_touch_drags_a_card_by_its_handle(
    playwright_browser: Any, live_server: Any, deals: dict[str, Any], page_watch: Any
) -> None:
    """A finger on the card's handle drags it (touch events through the DevTools protocol,
    as a phone sends them); the move lands like a mouse drag."""
    from playwright.sync_api import expect

    from elo.sales.models import Deal

    context = playwright_browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}, has_touch=True
    )
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: page_watch.page_errors.append(str(error)))
        base = live_server.url
        _sign_in(page, base)
        page.goto(base + "/deals/board/")
        qualification = page.locator(f"#column-{deals['stages']['Qualification'].pk}")
        handle = page.locator(f"#deal-{deals['Mixers'].pk} .kanban-handle").bounding_box()
        target = qualification.bounding_box()
        cdp = context.new_cdp_session(page)

        def touch(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        end_x, end_y = target["x"] + target["width"] / 2, target["y"] + 80
        touch("touchStart", x, y)
        for step in range(1, 13):
            touch("touchMove", x + (end_x - x) * step / 12, y + (end_y - y) * step / 12)
        touch("touchEnd", end_x, end_y)

        expect(qualification.locator("[data-count]")).to_have_text("1")
        expect(qualification).to_contain_text("Mixers")
        moved = Deal.objects.get(pk=deals["Mixers"].pk)
        assert moved.stage_id == deals["stages"]["Qualification"].pk
        assert page_watch.page_errors == []
    finally:
        context.close()
