"""The foundation's browser test: a Brazilian user signs in, adds a person, writes a note on
the person's timeline and finds the person again through the search box, all in Portuguese."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Passphrase!"
EMAIL = "joana.brasil@example.com"

# The Portuguese (Brazil) interface words the test reads and clicks, by English msgid.
PT_BR = {
    "Hello, {name}": "Olá, {name}",
    "My tasks": "Minhas tarefas",
    "People": "Pessoas",
    "Add person": "Cadastrar pessoa",
    "Given name": "Nome",
    "Family name": "Sobrenome",
    "Emails": "E-mails",
    "Phones": "Telefones",
    "Save": "Salvar",
    "Add: Note": "Adicionar: Nota",
    "Note": "Nota",
    "Add to timeline": "Adicionar à linha do tempo",
    "Search": "Buscar",
}


@pytest.fixture
def brazilian_user(transactional_db: Any) -> Any:
    from elo.identity.services import roles_ensure_defaults, team_create, user_create

    roles_ensure_defaults()
    team = team_create(actor=None, name="São Paulo")
    return user_create(
        actor=None,
        email=EMAIL,
        password=PASSWORD,
        role="sales_rep",
        team=team,
        full_name="Joana Brasil",
        language="pt-br",
    )


def test_sign_in_add_person_note_and_search_in_portuguese(
    page: Any, page_watch: Any, live_server: Any, brazilian_user: Any
) -> None:
    from django.urls import reverse
    from playwright.sync_api import expect

    t = PT_BR
    base = live_server.url

    # Sign in. The browser asks for English; the user's language setting switches to Portuguese.
    page.goto(base + reverse("identity:login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(base + reverse("web:home"))
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t["Hello, {name}"].format(name="Joana Brasil")
    )
    expect(page.get_by_role("heading", name=t["My tasks"])).to_be_visible()
    navbar = page.locator("nav.navbar")

    # A new person, through the people list.
    navbar.get_by_role("link", name=t["People"], exact=True).click()
    expect(page).to_have_url(base + reverse("contacts:person_list"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t["People"])
    page.get_by_role("link", name=t["Add person"]).click()
    expect(page).to_have_url(base + reverse("contacts:person_create"))
    page.get_by_label(t["Given name"], exact=True).fill("João")
    page.get_by_label(t["Family name"], exact=True).fill("Wilsonson")
    page.get_by_label(t["Emails"], exact=True).fill("joao.wilsonson@example.com.br")
    page.get_by_label(t["Phones"], exact=True).fill("+55 11 98765-4321")
    page.get_by_role("button", name=t["Save"], exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(base) + r"/people/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("João Wilsonson")
    detail_url = page.url
    fields = page.locator("#person-fields")
    expect(fields).to_contain_text("joao.wilsonson@example.com.br")
    expect(fields).to_contain_text("98765-4321")

    # A note through the timeline's quick-add: htmx swaps it in, the page does not reload.
    page.evaluate("window.eloNoReload = 'still here'")
    note_form = page.locator("#quick-add-note")
    expect(page.locator("summary", has_text=t["Add: Note"])).to_be_visible()
    note_form.get_by_label(t["Note"], exact=True).fill("Ligou pedindo proposta para 40 licenças.")
    note_form.get_by_role("button", name=t["Add to timeline"]).click()
    timeline = page.locator("#timeline")
    new_entry = timeline.locator(".timeline-item").first
    expect(new_entry).to_contain_text("Ligou pedindo proposta para 40 licenças.")
    expect(new_entry).to_contain_text(t["Note"])
    expect(page.locator("#timeline-empty")).to_be_hidden()
    assert page.evaluate("window.eloNoReload") == "still here", "the quick-add reloaded the page"
    assert page.url == detail_url
    # The fresh form the answer swapped in is empty again.
    expect(page.locator("#quick-add-note").get_by_label(t["Note"], exact=True)).to_have_value("")

    # The search box in the navigation bar finds the person without the accent.
    search_box = navbar.get_by_role("searchbox", name=t["Search"])
    search_box.fill("joao")
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(base + reverse("web:search")) + r"\?q=joao$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t["Search"])
    hit = page.locator("#search-people").get_by_role("link", name="João Wilsonson")
    expect(hit).to_be_visible()
    hit.click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("João Wilsonson")
    expect(page.locator("#timeline")).to_contain_text("Ligou pedindo proposta para 40 licenças.")

    # A part of the family name is enough too.
    search_box = navbar.get_by_role("searchbox", name=t["Search"])
    search_box.fill("sonson")
    search_box.press("Enter")
    expect(
        page.locator("#search-people").get_by_role("link", name="João Wilsonson")
    ).to_be_visible()

    page_watch.assert_clean()
