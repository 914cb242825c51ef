"""A message that went through a real SMTP server (aiosmtpd on 127.0.0.1) is taken in and
shows on the person's timeline."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives

from elo.activities.selectors import person_timeline
from elo.channels.email.models import EmailAttachment


def test_mail_through_smtp_lands_on_the_timeline(
    smtp: Any, ingest: Any, make_person: Any, rep: Any, web: Any
) -> None:
    ana = make_person(given_name="Ana", family_name="Souza", emails=["ana.souza@cliente.com.br"])
    mail = EmailMultiAlternatives(
        subject="Dúvida sobre a cotação nº 42",
        body="Olá! A instalação em São Paulo inclui treinamento?\n\nAna",
        from_email="Ana Souza <ana.souza@cliente.com.br>",
        to=["vendas@elo.example"],
        headers={"Message-ID": "<smtp-test-1@cliente.com.br>"},
    )
    mail.attach_alternative("<p>Olá! A instalação em <b>São Paulo</b> inclui?</p>", "text/html")
    mail.attach("cotação.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    mail.send()

    (received,) = smtp.messages
    result = ingest(received.as_bytes())

    timeline = person_timeline(ana)
    (entry,) = timeline.items
    assert entry.pk == result.message.activity_id
    assert (entry.kind, entry.subject) == ("email", "Dúvida sobre a cotação nº 42")
    assert "A instalação em São Paulo inclui treinamento?" in entry.body
    assert result.message.message_id == "smtp-test-1@cliente.com.br"
    assert "<b>São Paulo</b>" in result.message.html
    attachment = EmailAttachment.objects.get(message=result.message)
    assert (attachment.filename, attachment.size) == ("cotação.pdf", 15)
    page = web(rep).get(f"/people/{ana.pk}/")
    assert page.status_code == 200
    assert "Dúvida sobre a cotação nº 42" in page.content.decode()
