"""Duplicate detection: precision and recall on a generated set, blocks, dismissals."""

from __future__ import annotations

import random
import unicodedata
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.contacts import duplicates
from elo.contacts.models import DuplicateDismissal, Person
from elo.contacts.services import person_create
from elo.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db

GIVEN = [
    "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luís",
    "Marcos", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Rodrigo",
    "Manuel", "Tiago", "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia",
    "Fernanda", "Patrícia", "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia",
    "Inês", "Beatriz", "Leonor", "Joana",
]  # fmt: skip
FAMILY = [
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares",
    "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira",
    "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves",
    "Santana", "Teixeira", "Araújo", "Correia", "Monteiro", "Pinto", "Conceição",
]  # fmt: skip


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _typo(rng: random.Random, word: str) -> str:
    """One keyboard slip: a letter dropped, doubled, swapped with the next or replaced."""
    index = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "swap", "replace"])
    if kind == "drop":
        return word[:index] + word[index + 1 :]
    if kind == "double":
        return word[:index] + word[index] + word[index:]
    if kind == "swap":
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    return word[:index] + rng.choice("aeioursnt") + word[index + 1 :]


def _phone(number: str, style: int) -> str:
    """The same Brazilian mobile written the ways people write it."""
    area, first, last = number[3:5], number[5:10], number[10:]
    return [
        number,
        f"({area}) {first}-{last}",
        f"+55 {area} {first} {last}",
        f"0{area}{first}{last}",
    ][style % 4]


def _generated_set(rep: Any, make_organization: Any) -> set[tuple[int, int]]:
    """300 distinct people and 86 known duplicates of some of them; returns the true pairs.

    Each duplicate keeps one piece of evidence besides its name: the email (in capitals, the
    name with a typo), the mobile (written another way, the name without accents or with
    given and family swapped), the organization (the family name with a typo), or nothing
    but the name without accents and in other case. Six more are a typo with nothing else
    shared: those are missed on purpose, since they cannot be told from two real names one
    letter apart (see `test_a_name_alone_one_letter_apart_is_not_enough`), and lower the
    recall measured here."""
    rng = random.Random(20261202)
    combos = [(given, family) for given in GIVEN for family in FAMILY]
    rng.shuffle(combos)
    organizations = [make_organization(name=f"Empresa {index}").pk for index in range(10)]
    switchboards = {org: f"+55213{index:03d}0000" for index, org in enumerate(organizations)}
    originals: list[dict[str, Any]] = []
    for index, (given, family) in enumerate(combos[:300]):
        data: dict[str, Any] = {"given_name": given, "family_name": family, "emails": []}
        data["emails"] = [f"{_ascii(given).lower()}.{_ascii(family).lower()}{index}@example.com"]
        data["mobile"] = f"+55119{rng.randrange(10**7, 10**8)}"
        data["phones"] = [data["mobile"]] if index % 3 else []
        if index % 4 == 0:
            organization = organizations[index % 10]
            data["organizations"] = [organization]
            # Colleagues share the switchboard number: a shared phone, not a duplicate.
            if index % 8 == 0:
                data["phones"] = [*data["phones"], switchboards[organization]]
        data["pk"] = person_create(
            actor=rep, data={k: v for k, v in data.items() if k not in ("pk", "mobile")}
        ).pk
        originals.append(data)

    truth: set[tuple[int, int]] = set()
    variants = ["typo_email", "accents_phone", "swapped_phone", "accents_only"]
    employed = [original for original in originals if "organizations" in original]
    chosen = rng.sample(employed, 16)
    others = [original for original in originals if original not in chosen]
    chosen += rng.sample(others, 64)
    for number, original in enumerate(chosen):
        variant = "typo_colleague" if number < 16 else variants[number % len(variants)]
        given, family = original["given_name"], original["family_name"]
        data = {"given_name": given, "family_name": family}
        if variant == "typo_email":
            if rng.random() < 0.5:
                data["family_name"] = _typo(rng, family)
            else:
                data["given_name"] = _typo(rng, given)
            data["emails"] = [original["emails"][0].upper()]
        elif variant == "accents_phone":
            data = {"given_name": _ascii(given).upper(), "family_name": _ascii(family)}
            data["phones"] = [_phone(original["mobile"], number)]
            data["emails"] = [f"{number}@other.example.net"]
        elif variant == "swapped_phone":
            data = {"given_name": family, "family_name": given.lower()}
            data["phones"] = [_phone(original["mobile"], number + 1)]
        elif variant == "typo_colleague":
            data["family_name"] = _typo(rng, family)
            data["organizations"] = original["organizations"]
        else:
            data = {"given_name": _ascii(given), "family_name": _ascii(family).lower()}
        duplicate = person_create(actor=rep, data=data)
        truth.add(duplicates.pair_key(original["pk"], duplicate.pk))
    for original in rng.sample([item for item in others if item not in chosen], 6):
        data = {
            "given_name": original["given_name"],
            "family_name": _typo(rng, original["family_name"]),
        }
        duplicate = person_create(actor=rep, data=data)
        truth.add(duplicates.pair_key(original["pk"], duplicate.pk))
    return truth


def test_precision_and_recall_on_a_generated_set(rep: Any, make_organization: Any) -> None:
    truth = _generated_set(rep, make_organization)
    found = duplicates.person_candidates(Person.objects.alive())
    suggested = {(item.first_id, item.second_id) for item in found}
    hits = suggested & truth
    precision = len(hits) / len(suggested)
    recall = len(hits) / len(truth)
    print(f"duplicates: precision {precision:.3f} recall {recall:.3f} ({len(suggested)} pairs)")
    assert precision >= 0.95, sorted(suggested - truth)
    assert recall >= 0.9, sorted(truth - suggested)


def test_reasons_and_scores(make_person: Any) -> None:
    joao = make_person(given_name="João", family_name="Silva", emails=["joao@example.com"])
    swapped = make_person(given_name="silva", family_name="JOAO", phones=["+5511987654321"])
    same_email = make_person(given_name="Joao", family_name="Silvaa", emails=["JOAO@example.com"])
    make_person(given_name="Beatriz", family_name="Ramos")
    found = {
        (item.first_id, item.second_id): item
        for item in duplicates.person_candidates(Person.objects.alive())
    }
    assert found[(joao.pk, swapped.pk)].reasons == ["same name"]
    assert found[(joao.pk, swapped.pk)].score == 100
    pair = found[(joao.pk, same_email.pk)]
    assert pair.codes == ["same_email", "similar_name"]
    assert pair.score >= 96
    assert pair.reasons[1].startswith("similar name ")
    # The swapped name and the misspelt one share only a similar name: not enough.
    assert len(found) == 2


def test_a_name_alone_one_letter_apart_is_not_enough(make_person: Any) -> None:
    """Francisco and Francisca differ as a typo would; with nothing else shared, no pair."""
    make_person(given_name="Francisco", family_name="Andrade", emails=["f1@example.com"])
    make_person(given_name="Francisca", family_name="Andrade", emails=["f2@example.com"])
    assert duplicates.person_candidates(Person.objects.alive()) == []


def test_a_shared_switchboard_is_not_a_duplicate(make_person: Any) -> None:
    make_person(given_name="Inês", family_name="Pinto", phones=["+552130000000"])
    make_person(given_name="Carlos", family_name="Monteiro", phones=["+552130000000"])
    assert duplicates.person_candidates(Person.objects.alive()) == []


def test_dismissed_pair_is_not_suggested_again(rep: Any, make_person: Any) -> None:
    first = make_person(given_name="Ana", family_name="Lima", emails=["ana@example.com"])
    second = make_person(given_name="Ana", family_name="Lima", emails=["ana@example.com"])
    assert len(duplicates.person_candidates(Person.objects.alive())) == 1
    duplicates.duplicate_dismiss(actor=rep, entity="person", first=second, second=first)
    duplicates.duplicate_dismiss(actor=rep, entity="person", first=first, second=second)
    assert duplicates.person_candidates(Person.objects.alive()) == []
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.first_id, dismissal.second_id) == (first.pk, second.pk)
    assert dismissal.dismissed_by == rep
    assert AuditEntry.objects.filter(action="contacts.person.duplicate_dismissed").exists()
    assert OutboxEvent.objects.filter(name="contacts.person.duplicate_dismissed").exists()


def test_large_blocks_use_a_window_and_queries_stay_constant(make_person: Any) -> None:
    for index in range(duplicates.WINDOW + 20):
        make_person(given_name=f"Pessoa{index:03d}", family_name="Silva")
    with CaptureQueriesContext(connection) as small:
        duplicates.person_candidates(Person.objects.alive())
    for index in range(40):
        make_person(given_name="Zé", family_name=f"Costa{index:03d}", emails=["ze@example.com"])
    with CaptureQueriesContext(connection) as large:
        found = duplicates.person_candidates(Person.objects.alive())
    assert len(large) == len(small) <= 6
    assert found


def test_deleted_and_invisible_people_are_left_out(
    rep: Any, manager: Any, other_rep: Any, make_person: Any
) -> None:
    mine = make_person(given_name="Rui", family_name="Dias", emails=["rui@example.com"])
    make_person(owner=other_rep, given_name="Rui", family_name="Dias", emails=["rui@example.com"])
    assert duplicates.person_candidates(Person.objects.visible_to(rep).alive()) == []
    copy = make_person(given_name="Rui", family_name="Dias")
    assert len(duplicates.person_candidates(Person.objects.visible_to(rep).alive())) == 1
    from elo.contacts.services import person_delete

    person_delete(actor=manager, person=copy)
    assert duplicates.person_candidates(Person.objects.visible_to(rep).alive()) == []
    assert mine.pk


def _twins(make_person: Any, owner: Any = None, count: int = 1, start: int = 0) -> list[Any]:
    people = []
    for index in range(start, start + count):
        email = f"twin{index}@example.com"
        people.append(
            make_person(owner=owner, given_name="Ana", family_name=f"Twin{index}", emails=[email])
        )
        people.append(
            make_person(
                owner=owner, given_name="ana", family_name=f"TWIN{index}", emails=[email.upper()]
            )
        )
    return people


def test_api_lists_pairs_with_reasons_only_where_both_are_visible(
    api: Any, rep: Any, other_rep: Any, outsider: Any, make_person: Any
) -> None:
    first, second = _twins(make_person)
    make_person(
        owner=other_rep, given_name="Ana", family_name="Twin0", emails=["twin0@example.com"]
    )
    body = api(rep).get("/api/v1/duplicates?entity=people").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["a"]["id"], item["b"]["id"]) == (first.pk, second.pk)
    assert item["a"]["details"] == ["twin0@example.com"]
    assert item["score"] == 100
    assert item["reasons"] == ["same email", "same name"]
    assert api(outsider).get("/api/v1/duplicates").json() == {"count": 0, "items": []}
    anonymous = api(None).get("/api/v1/duplicates")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    wrong = api(rep).get("/api/v1/duplicates?entity=planets")
    assert wrong.status_code == 422
    assert wrong["Content-Type"] == "application/problem+json"


def test_api_list_queries_do_not_grow_with_pairs(
    api: Any, rep: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    _twins(make_person, count=2)
    client = api(rep)
    client.get("/api/v1/duplicates")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/duplicates").json()["count"] == 2
    _twins(make_person, count=10, start=2)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/duplicates").json()["count"] == 12
    assert len(many) == len(few)


def test_api_dismiss(api: Any, rep: Any, reader: Any, other_rep: Any, make_person: Any) -> None:
    first, second = _twins(make_person)
    theirs = make_person(owner=other_rep, given_name="Ana", family_name="Twin0")
    refused = api(reader).post("/api/v1/duplicates/dismiss", {"a": first.pk, "b": second.pk})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    hidden = api(rep).post("/api/v1/duplicates/dismiss", {"a": first.pk, "b": theirs.pk})
    assert hidden.status_code == 404
    assert hidden["Content-Type"] == "application/problem+json"
    same = api(rep).post("/api/v1/duplicates/dismiss", {"a": first.pk, "b": first.pk})
    assert same.status_code == 422
    assert same["Content-Type"] == "application/problem+json"
    assert not DuplicateDismissal.objects.exists()
    done = api(rep).post("/api/v1/duplicates/dismiss", {"a": second.pk, "b": first.pk})
    assert done.status_code == 204
    assert api(rep).get("/api/v1/duplicates").json()["count"] == 0


def test_duplicates_page_lists_pairs_with_reasons_and_constant_queries(
    web: Any, rep: Any, manager: Any, make_person: Any, make_organization: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = _twins(make_person)
    make_organization(name="Empresa Ltda")
    make_organization(name="EMPRESA")
    client = web(manager)
    people = client.get("/people/")
    assert 'href="/people/duplicates/"' in people.content.decode()
    page = client.get("/people/duplicates/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-pair="{first.pk}-{second.pk}"' in html
    assert "same email" in html and f'href="/people/{first.pk}/merge/{second.pk}/"' in html
    with CaptureQueriesContext(connection) as few:
        client.get("/people/duplicates/")
    _twins(make_person, count=10, start=1)
    for index in range(3):
        make_organization(name=f"Empresa {index} Ltda")
        make_organization(name=f"EMPRESA {index}")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/people/duplicates/").content.decode()
    assert html.count("data-pair=") == 11
    assert len(many) == len(few)
    # A rep may dismiss but not merge (no contacts.delete): no Review button.
    html = web(rep).get("/people/duplicates/").content.decode()
    assert "Not a duplicate" in html and "/merge/" not in html


def test_not_a_duplicate_button(web: Any, rep: Any, reader: Any, make_person: Any) -> None:
    first, second = _twins(make_person)
    refused = web(reader).post("/people/duplicates/dismiss/", {"a": first.pk, "b": second.pk})
    assert refused.status_code == 403
    response = web(rep).post("/people/duplicates/dismiss/", {"a": first.pk, "b": second.pk})
    assert response.status_code == 302 and response["Location"] == "/people/duplicates/"
    assert DuplicateDismissal.objects.filter(first_id=first.pk, second_id=second.pk).exists()
    assert "data-pair=" not in web(rep).get("/people/duplicates/").content.decode()


def test_organization_pairs_by_tax_id_domain_and_name(
    api: Any, rep: Any, other_rep: Any, make_organization: Any
) -> None:
    from elo.contacts.models import Organization

    padaria = make_organization(name="Padaria Central Ltda", domains=["padaria.com.br"])
    same_name = make_organization(name="PADARIA CENTRAL")
    same_domain = make_organization(name="Padaria Central Comércio", domains=["padaria.com.br"])
    acme = make_organization(name="Acme", tax_id="PT 500 000 000")
    renamed = make_organization(name="Acme Portugal, Lda", tax_id="500000000")
    make_organization(name="Outra Empresa", domains=["gmail.com"])
    make_organization(name="Mais Uma", domains=["gmail.com"])
    make_organization(owner=other_rep, name="Padaria Central")
    found = {
        (item.first_id, item.second_id): item
        for item in duplicates.organization_candidates(Organization.objects.visible_to(rep))
    }
    assert found[(padaria.pk, same_name.pk)].codes == ["same_name"]
    assert found[(padaria.pk, same_domain.pk)].codes[0] == "same_domain"
    assert found[(acme.pk, renamed.pk)].codes[0] == "same_tax_id"
    assert set(found) == {
        (padaria.pk, same_name.pk),
        (padaria.pk, same_domain.pk),
        (acme.pk, renamed.pk),
    }
    body = api(rep).get("/api/v1/duplicates?entity=organizations").json()
    assert body["count"] == 3
    first = body["items"][0]
    assert (first["a"]["id"], first["b"]["id"], first["score"]) == (padaria.pk, same_name.pk, 100)
    assert first["a"]["details"] == ["padaria.com.br"]
    dismissed = api(rep).post(
        "/api/v1/duplicates/dismiss", {"entity": "organizations", "a": acme.pk, "b": renamed.pk}
    )
    assert dismissed.status_code == 204
    assert api(rep).get("/api/v1/duplicates?entity=organizations").json()["count"] == 2
    assert OutboxEvent.objects.filter(name="contacts.organization.duplicate_dismissed").exists()


def test_duplicates_page_lists_organization_pairs_and_dismisses_them(
    web: Any, rep: Any, make_organization: Any
) -> None:
    first = make_organization(name="Padaria Central Ltda")
    second = make_organization(name="Padaria Central")
    client = web(rep)
    html = client.get("/people/duplicates/").content.decode()
    assert f'data-organization-pair="{first.pk}-{second.pk}"' in html
    response = client.post(
        "/people/duplicates/dismiss/", {"entity": "organization", "a": first.pk, "b": second.pk}
    )
    assert response.status_code == 302
    assert DuplicateDismissal.objects.filter(entity="organization").count() == 1
    assert "data-organization-pair=" not in client.get("/people/duplicates/").content.decode()
