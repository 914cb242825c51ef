"""An import reports how many of the records it created look like records already there."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.contacts.duplicates_created import people_like_earlier
from elo.contacts.models import Organization, Person
from elo.contacts.services import organization_create, person_create
from elo.interchange.services import import_text

pytestmark = pytest.mark.django_db

PEOPLE = """first_name,last_name,email,phone
Joao,Silva,joao.outro@example.com,
Joao,Silvva,,+55 11 98765 4321
Beatriz,Lopes,beatriz@example.com,
Carla,Mendes,,
Carla,Mendes,,
"""


@pytest.fixture
def joao(admin: Any) -> Any:
    return person_create(
        actor=admin,
        data={
            "given_name": "João",
            "family_name": "Silva",
            "emails": ["joao.silva@example.com"],
            "phones": ["+55 (11) 98765-4321"],
        },
    )


def test_import_counts_created_people_that_look_like_earlier_ones(
    joao: Any, admin: Any, api: Any, web: Any
) -> None:
    dry = import_text(actor=admin, entity="people", text=PEOPLE, dry_run=True)
    assert (dry.created_count, dry.similar_count) == (5, 2)
    assert Person.objects.count() == 1

    run = import_text(actor=admin, entity="people", text=PEOPLE)
    # The lookalikes are imported all the same; two Carla Mendes of one file are not
    # "records that were there before".
    assert (run.created_count, run.rejected_count, run.similar_count) == (5, 0, 2)
    assert Person.objects.count() == 6

    page = web(admin).get(f"/import/runs/{run.pk}/").content.decode()
    assert 'data-count="similar">2' in page
    assert 'href="/people/duplicates/"' in page
    assert api(admin).get(f"/api/v1/imports/{run.pk}").json()["similar_count"] == 2


def test_only_earlier_people_the_importer_sees_count(joao: Any, manager: Any) -> None:
    run = import_text(actor=manager, entity="people", text=PEOPLE)
    assert (run.created_count, run.similar_count) == (5, 0)


def test_organizations_by_name_and_tax_id(admin: Any) -> None:
    organization_create(
        actor=admin, data={"name": "Acme Comércio Ltda", "tax_id": "11.222.333/0001-81"}
    )
    text = "name,tax_id\nACME Comercio S.A.,\nOutra Empresa,11222333000181\nBeta Serviços,\n"
    run = import_text(actor=admin, entity="organizations", text=text)
    assert (run.created_count, run.similar_count) == (3, 2)
    assert Organization.objects.count() == 4


def test_the_check_reads_a_constant_number_of_queries(joao: Any, admin: Any) -> None:
    def queries(earlier: int) -> int:
        for index in range(earlier):
            person_create(
                actor=admin,
                data={"given_name": f"Ana{index}", "family_name": "Souza",
                      "emails": [f"ana{index}@example.com"]},
            )  # fmt: skip
        created = [
            person_create(actor=admin, data={"given_name": "Joao", "family_name": "Silva"}).pk,
            person_create(actor=admin, data={"given_name": "Ana1", "family_name": "Souza"}).pk,
        ]
        with CaptureQueriesContext(connection) as captured:
            assert people_like_earlier(admin, created) >= 2
        return len(captured)

    assert queries(5) == queries(45)
