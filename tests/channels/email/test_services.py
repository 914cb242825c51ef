"""Taking in mail: stored once, threaded, filed on the right person or a new lead."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from elo.activities.models import Activity
from elo.channels.email.models import EmailAttachment, EmailMessage
from elo.channels.email.parsing import raw_digest
from elo.channels.email.services import email_ingest, split_mbox
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales.models import Lead

Eml = Callable[[str], bytes]


@pytest.fixture
def ana(make_person: Any) -> Any:
    return make_person(given_name="Ana", family_name="Souza", emails=["Ana.Souza@cliente.com.br"])


def test_known_sender_lands_on_the_persons_timeline(ingest: Any, ana: Any, admin: Any) -> None:
    result = ingest("multipart_alternative.eml")

    assert result.created is True
    message = EmailMessage.objects.get()
    activity = message.activity
    assert (activity.kind, activity.direction, activity.person_id) == ("email", "inbound", ana.pk)
    assert activity.lead_id is None
    assert activity.subject == "Cotação para 50 licenças"
    assert activity.email_from == "Ana Souza Gonçalves <ana.souza@cliente.com.br>"
    assert activity.email_to == "Vendas Elo <vendas@elo.example>"
    assert "instalação em São Paulo" in activity.body
    assert activity.occurred_at.isoformat() == "2026-11-10T17:02:05+00:00"
    assert message.thread_id == message.message_id == "CAB7x9Q=a1b2c3@mail.cliente.com.br"
    assert "<b>cotação</b>" in message.html and "<script" not in message.html
    assert message.via == "cli"
    event = OutboxEvent.objects.get(name="channels_email.message.received")
    assert event.payload == {
        "id": message.pk,
        "message_id": "CAB7x9Q=a1b2c3@mail.cliente.com.br",
        "thread": "CAB7x9Q=a1b2c3@mail.cliente.com.br",
        "activity": activity.pk,
        "direction": "inbound",
        "person": ana.pk,
        "lead": None,
        "lead_created": False,
        "attachments": 0,
        "via": "cli",
    }
    assert AuditEntry.objects.filter(
        action="channels_email.message.received", object_id=str(message.pk)
    ).exists()


def test_the_same_message_twice_is_stored_once(ingest: Any, ana: Any) -> None:
    first = ingest("multipart_alternative.eml")
    second = ingest("multipart_alternative.eml")

    assert (first.created, second.created) == (True, False)
    assert second.message.pk == first.message.pk
    assert EmailMessage.objects.count() == 1
    assert Activity.objects.filter(kind="email").count() == 1
    assert OutboxEvent.objects.filter(name="channels_email.message.received").count() == 1


def test_message_without_message_id_is_keyed_by_its_bytes(
    ingest: Any, eml: Eml, make_person: Any
) -> None:
    make_person(given_name="Alerta", emails=["alerta@sistema.example.com"])

    first = ingest("no_message_id.eml")
    again = ingest("no_message_id.eml")

    assert first.message.message_id == raw_digest(eml("no_message_id.eml"))
    assert (first.created, again.created) == (True, False)
    assert EmailMessage.objects.count() == 1


def test_three_messages_make_one_thread_on_the_persons_timeline(ingest: Any, ana: Any) -> None:
    one, two, three = (ingest(f"thread_{n}.eml").message for n in (1, 2, 3))

    assert one.thread_id == two.thread_id == three.thread_id == one.message_id
    # Bruno is not in the CRM: his reply in Ana's thread goes on Ana's timeline, no lead.
    assert [m.activity.person_id for m in (one, two, three)] == [ana.pk, ana.pk, ana.pk]
    assert Lead.objects.count() == 0
    assert two.text == "Esqueci de dizer: queremos incluir mais 10 usuários."
    assert two.quoted_text.startswith("Em seg., 16 de nov. de 2026")
    assert two.activity.body == two.text


def test_reply_arriving_before_its_thread_starts_its_own(ingest: Any, ana: Any) -> None:
    two = ingest("thread_2.eml").message
    one = ingest("thread_1.eml").message

    assert two.thread_id == two.message_id
    assert one.thread_id == one.message_id


def test_unknown_sender_becomes_a_lead_with_the_email_on_it(ingest: Any, admin: Any) -> None:
    message = ingest("portuguese_latin1_qp.eml").message

    lead = Lead.objects.get()
    assert (lead.given_name, lead.family_name, lead.email, lead.source) == (
        "João",
        "Conceição",
        "joao@exemplo.com.br",
        "email",
    )
    assert message.activity.lead_id == lead.pk
    assert message.activity.person_id is None
    event = OutboxEvent.objects.get(name="channels_email.message.received")
    assert (event.payload["lead"], event.payload["lead_created"]) == (lead.pk, True)


def test_second_mail_from_an_unknown_sender_goes_on_the_same_lead(ingest: Any, eml: Eml) -> None:
    ingest("thread_1.eml")
    other = eml("thread_1.eml").replace(b"thread-1.9f8e", b"another.1234")
    other = other.replace(b"Subject: Renova", b"Subject: Outra renova")
    ingest(other)

    lead = Lead.objects.get()
    assert Activity.objects.filter(lead=lead, kind="email").count() == 2


def test_unknown_sender_ignored_when_configured(ingest: Any, settings: Any) -> None:
    settings.ELO_EMAIL_UNKNOWN_SENDER = "ignore"

    result = ingest("portuguese_latin1_qp.eml")

    assert result.message is None and result.created is False
    assert result.message_id == "4f2a.1003@exemplo.com.br"
    assert (EmailMessage.objects.count(), Lead.objects.count(), Activity.objects.count()) == (
        0,
        0,
        0,
    )


def test_attachments_are_stored_and_oversized_ones_listed(
    ingest: Any, settings: Any, make_person: Any
) -> None:
    make_person(given_name="Carlos", emails=["carlos@fornecedor.pt"])
    settings.ELO_EMAIL_MAX_ATTACHMENT_BYTES = 100

    message = ingest("attachments.eml").message

    pdf, image = EmailAttachment.objects.filter(message=message)
    assert (pdf.filename, pdf.size, pdf.omitted, pdf.file.name) == (
        "proposta revisão 2.pdf",
        125,
        True,
        "",
    )
    assert (image.filename, image.content_type, image.omitted) == ("logo.png", "image/png", False)
    with image.file.open("rb") as stored:
        assert stored.read().startswith(b"\x89PNG")
    assert str(settings.ELO_EMAIL_ATTACHMENT_DIR) in image.file.path


def test_message_over_the_size_limit_is_refused(ingest: Any, settings: Any, ana: Any) -> None:
    settings.ELO_EMAIL_MAX_MESSAGE_BYTES = 500

    with pytest.raises(ValidationError) as caught:
        ingest("multipart_alternative.eml")

    assert caught.value.message_dict == {"message": ["The message is larger than the limit."]}
    assert EmailMessage.objects.count() == 0


def test_a_users_forward_is_logged_on_the_original_sender(
    ingest: Any, make_person: Any, teams: Any
) -> None:
    from elo.identity.services import user_create

    user_create(
        actor=None, email="paula@elo.example", password="x-Passphrase-1", role="sales_rep",
        team=teams["north"], full_name="Paula Vendedora",
    )  # fmt: skip
    marta = make_person(given_name="Marta", family_name="Lima", emails=["marta.lima@loja.com.br"])

    activity = ingest("outlook_forward.eml").message.activity

    assert (activity.person_id, activity.direction) == (marta.pk, "inbound")
    assert Lead.objects.count() == 0


def test_a_users_bcc_is_logged_on_the_recipient(ingest: Any, rep: Any, ana: Any) -> None:
    raw = (
        b"From: Rita Rep <RITA.REP@example.com>\r\nTo: Ana <ana.souza@cliente.com.br>\r\n"
        b"Bcc: log@elo.example\r\nSubject: Proposta\r\nMessage-ID: <bcc-1@elo>\r\n"
        b"Date: Mon, 16 Nov 2026 12:00:00 +0000\r\n\r\nSegue a proposta.\r\n"
    )

    activity = ingest(raw).message.activity

    assert (activity.person_id, activity.direction) == (ana.pk, "outbound")


def test_a_users_mail_to_nobody_known_is_not_filed(ingest: Any, rep: Any) -> None:
    raw = (
        b"From: rita.rep@example.com\r\nTo: stranger@example.org\r\nSubject: oi\r\n"
        b"Message-ID: <bcc-2@elo>\r\n\r\nOi.\r\n"
    )

    result = ingest(raw)

    assert result.message is None
    assert (Lead.objects.count(), EmailMessage.objects.count()) == (0, 0)


def test_ingesting_needs_the_permission_to_log_activities(outsider: Any, eml: Eml) -> None:
    with pytest.raises(PermissionDenied):
        email_ingest(actor=outsider, raw=eml("thread_1.eml"))

    assert EmailMessage.objects.count() == 0


def test_split_mbox_unquotes_from_lines() -> None:
    data = (
        b"From a@x Mon Nov 16 09:00:00 2026\nSubject: one\n\nbody\n>From here\n\n"
        b"From b@x Mon Nov 16 10:00:00 2026\nSubject: two\n\nsecond\n"
    )

    assert list(split_mbox(data)) == [
        b"Subject: one\n\nbody\nFrom here\n\n",
        b"Subject: two\n\nsecond\n",
    ]
    assert list(split_mbox(b"Subject: x\n\ny\n")) == [b"Subject: x\n\ny\n"]


@pytest.mark.django_db(transaction=True)
def test_the_same_message_at_once_is_stored_once(admin: Any, make_person: Any, eml: Eml) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    make_person(given_name="Ana", emails=["ana.souza@cliente.com.br"])
    raw = eml("thread_1.eml")
    start = threading.Barrier(8)
    results: list[Any] = []
    errors: list[BaseException] = []

    def arrive() -> None:
        try:
            start.wait()
            results.append(email_ingest(actor=admin, raw=raw, via="api"))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=arrive) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert sorted(result.created for result in results) == [False] * 7 + [True]
    assert len({result.message.pk for result in results}) == 1
    assert EmailMessage.objects.count() == 1
    assert Activity.objects.filter(kind="email").count() == 1
