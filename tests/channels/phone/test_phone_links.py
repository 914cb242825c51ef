"""Click-to-call links: the number in E.164 in the address, written for reading in the text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from elo.channels.phone.links import phone_link
from elo.channels.phone.services import phone_preference_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def brazil(settings: Any) -> None:
    settings.ELO_DEFAULT_REGION = "BR"
    settings.ELO_PHONE_LINK = "tel"
    settings.ELO_SIP_DOMAIN = ""


@pytest.mark.parametrize(
    ("value", "href", "text"),
    [
        pytest.param("+5511912345678", "tel:+5511912345678", "(11) 91234-5678", id="br-mobile"),
        pytest.param("(11) 3003-1000", "tel:+551130031000", "(11) 3003-1000", id="br-national"),
        pytest.param("+351912345678", "tel:+351912345678", "+351 912 345 678", id="pt-mobile"),
        pytest.param("+351212345678", "tel:+351212345678", "+351 21 234 5678", id="pt-lisbon"),
        pytest.param("+14158675310", "tel:+14158675310", "+1 415-867-5310", id="us"),
    ],
)
def test_link_has_e164_address_and_readable_text(value: str, href: str, text: str) -> None:
    link = phone_link(value)
    assert link is not None
    assert (link.href, link.text) == (href, text)


def test_numbers_of_the_default_region_are_written_nationally(settings: Any) -> None:
    settings.ELO_DEFAULT_REGION = "PT"
    link = phone_link("+351212345678")
    assert link is not None and link.text == "21 234 5678"
    other = phone_link("+5511912345678")
    assert other is not None and other.text == "+55 11 91234-5678"


def test_sip_link_when_the_site_prefers_a_softphone(settings: Any) -> None:
    settings.ELO_SIP_DOMAIN = "pbx.example.com"
    link = phone_link("+5511912345678", "sip")
    assert link is not None
    assert link.href == "sip:+5511912345678@pbx.example.com"
    assert link.text == "(11) 91234-5678"


def test_sip_without_a_domain_falls_back_to_tel() -> None:
    link = phone_link("+14158675310", "sip")
    assert link is not None and link.href == "tel:+14158675310"


def test_text_that_is_no_number_gets_no_link() -> None:
    assert phone_link("call reception") is None
    assert phone_link("") is None


def _render(user: Any, number: str) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load phone_links %}{% phone_link number %}")
    return template.render(Context({"request": request, "number": number}))


def test_tag_renders_tel_by_default_and_sip_for_a_user_who_prefers_it(
    settings: Any, rep: Any, teammate: Any
) -> None:
    settings.ELO_SIP_DOMAIN = "pbx.example.com"
    phone_preference_set(actor=teammate, link_scheme="sip")
    assert _render(rep, "+351912345678") == (
        '<a href="tel:+351912345678" class="phone-link" data-e164="+351912345678">'
        "+351 912 345 678</a>"
    )
    assert 'href="sip:+351912345678@pbx.example.com"' in _render(teammate, "+351912345678")
    settings.ELO_PHONE_LINK = "sip"
    assert 'href="sip:+351912345678@pbx.example.com"' in _render(rep, "+351912345678")


def test_tag_escapes_what_is_not_a_number(rep: Any) -> None:
    assert _render(rep, "<b>ask</b>") == "&lt;b&gt;ask&lt;/b&gt;"


def _tel_links(html: str) -> list[str]:
    return re.findall(r'href="(tel:[^"]+)"', html)


def test_people_pages_show_tel_links(web: Any, rep: Any, make_person: Any) -> None:
    person = make_person(phones=["+5511912345678", "+351912345678"])
    client = web(rep)
    detail = client.get(reverse("contacts:person_detail", args=[person.pk])).content.decode()
    assert _tel_links(detail)[:2] == ["tel:+5511912345678", "tel:+351912345678"]
    assert "(11) 91234-5678" in detail and "+351 912 345 678" in detail
    listing = client.get(reverse("contacts:person_list")).content.decode()
    assert "tel:+5511912345678" in _tel_links(listing)


def test_organization_pages_show_tel_links(web: Any, rep: Any, make_organization: Any) -> None:
    organization = make_organization(phones=["+551130031000"])
    client = web(rep)
    url = reverse("contacts:organization_detail", args=[organization.pk])
    assert "tel:+551130031000" in _tel_links(client.get(url).content.decode())
    listing = client.get(reverse("contacts:organization_list")).content.decode()
    assert "tel:+551130031000" in _tel_links(listing)


def test_lead_page_shows_a_tel_link(web: Any, rep: Any) -> None:
    from elo.sales.services.leads import lead_create

    lead = lead_create(actor=rep, data={"given_name": "Lia", "phone": "+14158675310"})
    page = web(rep).get(reverse("sales:lead_detail", args=[lead.pk])).content.decode()
    assert "tel:+14158675310" in _tel_links(page)
    assert "+1 415-867-5310" in page


def test_duplicates_page_shows_tel_links(web: Any, admin: Any, make_person: Any) -> None:
    make_person(owner=admin, given_name="Joana", family_name="Souza", phones=["+5511987654321"])
    make_person(owner=admin, given_name="Joana", family_name="Souza", phones=["+5511987654321"])
    page = web(admin).get(reverse("contacts:person_duplicates")).content.decode()
    assert _tel_links(page).count("tel:+5511987654321") == 2
