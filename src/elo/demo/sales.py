"""Demo sales data: assignment rules, leads from every source and deals across the pipeline,
written through the sales services with a fixed seed."""

from __future__ import annotations

import random

from elo.contacts.models import Organization, Person
from elo.demo import plan as demo_plan
from elo.identity.models import User
from elo.sales import services
from elo.sales.choices import StageKind
from elo.sales.models import Stage

CURRENCY = {"BR": "BRL", "PT": "EUR", "US": "USD", "GB": "GBP"}
# (weight, amount range) per organization size: bigger customers buy bigger deals.
AMOUNTS = {
    "1-9": (2_000, 15_000),
    "10-49": (8_000, 60_000),
    "50-249": (30_000, 180_000),
    "250-999": (90_000, 500_000),
    "1000+": (250_000, 1_500_000),
}
PRODUCTS = (
    "CRM licences",
    "Onboarding",
    "Support plan",
    "Integration",
    "Renewal",
    "Expansion",
    "Training",
    "Data migration",
)
LOST_REASONS = ("Price", "Chose a competitor", "No budget this year", "No decision")
LEAD_PEOPLE = (
    ("BR", "Carla", "Menezes", "Padaria Pão Quente", "carla@paoquente.com.br", "web_form", "SP"),
    ("BR", "Diego", "Araújo", "Araújo Transportes", "diego.araujo@gmail.com", "phone", "MG"),
    (
        "BR",
        "Fernanda",
        "Rocha",
        "Clínica Sorriso",
        "fernanda@clinicasorriso.com.br",
        "referral",
        "RJ",
    ),
    ("BR", "Gustavo", "Pinto", "Pinto & Filhos", "gustavo@pintoefilhos.com.br", "event", "SP"),
    ("BR", "Larissa", "Teixeira", "Studio Bela", "contato@studiobela.com.br", "social", "PR"),
    ("BR", "Otávio", "Barros", "Barros Agro", "otavio@barrosagro.com.br", "web_form", "GO"),
    (
        "PT",
        "Inês",
        "Carvalho",
        "Carvalho & Associados",
        "ines@carvalho-associados.pt",
        "web_form",
        "Lisboa",
    ),
    ("PT", "Miguel", "Sousa", "Sousa Vinhos", "miguel@sousavinhos.pt", "event", "Porto"),
    ("PT", "Rita", "Gomes", "Hotel Miramar", "reservas@hotelmiramar.pt", "email", "Faro"),
    ("PT", "Tiago", "Martins", "", "tiago.martins@sapo.pt", "chat", "Braga"),
    ("US", "Olivia", "Brooks", "Brooks Dental", "olivia@brooksdental.com", "web_form", "TX"),
    ("GB", "Harry", "Walsh", "Walsh Joinery", "harry@walshjoinery.co.uk", "referral", "Leeds"),
)


def load(
    *, users: dict[str, User], plan: demo_plan.Plan, organization_pks: list[int], seed: int
) -> tuple[int, int]:
    """Rules, leads and deals; returns (leads, deals)."""
    rng = random.Random(seed + 7)
    admin = users["admin"]
    _rules(admin, users)
    leads = _leads(rng, users)
    deals = _deals(rng, users, plan, organization_pks)
    return leads, deals


def _rules(admin: User, users: dict[str, User]) -> None:
    services.rule_create(
        actor=admin,
        data={
            "name": "Brasil: round robin",
            "entity": "lead",
            "priority": 10,
            "strategy": "round_robin",
            "conditions": [{"field": "country", "op": "eq", "value": "BR"}],
            "members": [users[key].pk for key in ("br_rep1", "br_rep2", "br_rep3")],
        },
    )
    services.rule_create(
        actor=admin,
        data={
            "name": "Portugal & International: 5 a day each",
            "entity": "lead",
            "priority": 20,
            "strategy": "capacity",
            "capacity": 5,
            "capacity_period": "day",
            "conditions": [{"field": "country", "op": "in", "value": ["PT", "US", "GB"]}],
            "members": [users[key].pk for key in ("intl_rep1", "intl_rep2")],
        },
    )
    services.rule_create(
        actor=admin,
        data={
            "name": "Big deals to the managers",
            "entity": "deal",
            "priority": 10,
            "strategy": "lowest_load",
            "conditions": [{"field": "amount", "op": "gte", "value": 500000}],
            "members": [users["br_manager"].pk, users["intl_manager"].pk],
        },
    )
    services.default_owner_set(actor=admin, entity="lead", user=users["br_manager"])


def _leads(rng: random.Random, users: dict[str, User]) -> int:
    """Leads arrive through the API as the admin, so the rules decide their owners."""
    admin = users["admin"]
    created = 0
    for index, (country, first, last, company, email, source, region) in enumerate(LEAD_PEOPLE):
        lead = services.lead_create(
            actor=admin,
            data={
                "given_name": first,
                "family_name": last,
                "company": company,
                "email": email,
                "country": country,
                "region": region,
                "source": source,
                "utm_source": "google" if source == "web_form" else "",
                "utm_campaign": "demo-2026" if source == "web_form" else "",
                "message": "Quero saber mais sobre o Elo."
                if country == "BR"
                else "I would like a demo."
                if country in ("US", "GB")
                else "Gostava de uma demonstração.",
            },
        )
        created += 1
        owner = lead.owner
        if index % 4 == 1:
            services.lead_update(actor=owner, lead=lead, data={"status": "working"})
        elif index % 4 == 2:
            services.lead_update(actor=owner, lead=lead, data={"status": "qualified"})
        elif index % 6 == 3:
            services.lead_disqualify(actor=owner, lead=lead, reason="No budget")
        if index in (2, 6):
            services.lead_convert(
                actor=owner,
                lead=lead,
                deal={"amount": str(rng.randrange(5_000, 40_000)), "currency": CURRENCY[country]},
            )
    return created


def _deals(
    rng: random.Random,
    users: dict[str, User],
    plan: demo_plan.Plan,
    organization_pks: list[int],
) -> int:
    pipeline = services.pipeline_ensure_default()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
    won = next(stage for stage in stages if stage.kind == StageKind.WON)
    lost = next(stage for stage in stages if stage.kind == StageKind.LOST)
    organizations = Organization.objects.in_bulk(organization_pks)
    count = 0
    for index, organization_plan in enumerate(plan.organizations):
        if organization_plan.stage not in ("customer", "opportunity", "sales_qualified"):
            continue
        organization = organizations[organization_pks[index]]
        owner = users[organization_plan.owner]
        low, high = AMOUNTS.get(organization.size or "10-49", AMOUNTS["10-49"])
        for _number in range(1 if organization_plan.stage != "customer" else 2):
            target = rng.choices([*open_stages, won, lost], weights=[30, 22, 18, 12, 12, 6])[0]
            amount = round(rng.uniform(low, high), -2)
            people = [
                {"person": pk, "role": "Decision maker"}
                for pk in Person.objects.visible_to(owner)
                .filter(employments__organization=organization)
                .order_by("pk")
                .values_list("pk", flat=True)[:1]
            ]
            deal = services.deal_create(
                actor=owner,
                data={
                    "title": f"{organization_plan.short_name}: {rng.choice(PRODUCTS)}",
                    "amount": f"{amount:.2f}",
                    "currency": CURRENCY[organization_plan.country.code],
                    "organization": organization.pk,
                    "people": people,
                    "owner": owner.pk,
                    "expected_close": f"2027-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}",
                },
            )
            if target != deal.stage:
                reason = rng.choice(LOST_REASONS) if target == lost else ""
                services.deal_move(actor=owner, deal=deal, stage=target, reason=reason)
            count += 1
    return count
