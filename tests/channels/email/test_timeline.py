"""An inbound email on the timeline: folded quoted history, attachments to download, and the
message as sent behind a strict Content-Security-Policy."""

from __future__ import annotations

import re
from email.message import EmailMessage as MimeMessage
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse

from elo.channels.email.models import EmailAttachment

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def ana(make_person: Any) -> Any:
    return make_person(given_name="Ana", family_name="Souza", emails=["ana.souza@cliente.com.br"])


@pytest.fixture
def carlos(make_person: Any) -> Any:
    return make_person(given_name="Carlos", emails=["carlos@fornecedor.pt"])


def _page(client: Any, person: Any) -> str:
    response = client.get(reverse("contacts:person_detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_quoted_history_is_folded_inside_a_details_element(
    ingest: Any, ana: Any, web: Any, rep: Any
) -> None:
    ingest("thread_2.eml")

    html = _page(web(rep), ana)

    details = re.search(r'<details class="email-quoted[^"]*">(.*?)</details>', html, re.S)
    assert details is not None
    assert "Show quoted text" in details.group(1)
    assert "O contrato vence em dezembro" in details.group(1)
    # The reply's own text is outside the fold; the quoted address is escaped, not markup.
    assert "queremos incluir mais 10 usuários" not in details.group(1)
    assert "&lt;ana.souza@cliente.com.br&gt;" in details.group(1)
    before = html[: details.start()]
    assert "queremos incluir mais 10 usuários" in before


def test_attachment_downloads_the_exact_bytes_with_safe_headers(
    ingest: Any, carlos: Any, web: Any, rep: Any, settings: Any
) -> None:
    settings.ELO_EMAIL_MAX_ATTACHMENT_BYTES = 100
    message = ingest("attachments.eml").message
    pdf, image = EmailAttachment.objects.filter(message=message)
    client = web(rep)

    html = _page(client, carlos)
    url = reverse("channels_email:attachment_download", args=[image.pk])
    assert f'href="{url}"' in html
    assert "logo.png" in html
    # The oversized PDF is listed with its size, without a link.
    assert "proposta revisão 2.pdf" in html and "not kept (too large)" in html
    pdf_url = reverse("channels_email:attachment_download", args=[pdf.pk])
    assert pdf_url not in html
    assert client.get(pdf_url).status_code == 404

    response = client.get(url)
    assert response.status_code == 200
    with image.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="logo.png"' in response["Content-Disposition"]


def test_unsafe_type_is_sent_as_octet_stream_with_an_rfc5987_name(
    ingest: Any, carlos: Any, web: Any, rep: Any
) -> None:
    mime = MimeMessage()
    mime["From"] = "carlos@fornecedor.pt"
    mime["To"] = "vendas@elo.example"
    mime["Subject"] = "Página"
    mime["Message-ID"] = "<html-attachment@fornecedor.pt>"
    mime.set_content("Segue a página.")
    mime.add_attachment(
        b"<script>alert(1)</script>", maintype="text", subtype="html", filename="página.html"
    )
    ingest(mime.as_bytes())
    attachment = EmailAttachment.objects.get()

    response = web(rep).get(reverse("channels_email:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"filename*=utf-8''{quote('página.html')}" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_someone_who_cannot_see_the_person_gets_404(
    ingest: Any, carlos: Any, web: Any, other_rep: Any, settings: Any
) -> None:
    message = ingest("attachments.eml").message
    image = message.attachments.get(filename="logo.png")
    client = web(other_rep)

    download = client.get(reverse("channels_email:attachment_download", args=[image.pk]))
    as_sent = client.get(reverse("channels_email:message_html", args=[message.pk]))

    assert (download.status_code, as_sent.status_code) == (404, 404)
    assert b"logo.png" not in download.content


def test_message_as_sent_has_a_strict_csp_and_no_script(
    ingest: Any, ana: Any, web: Any, rep: Any
) -> None:
    message = ingest("multipart_alternative.eml").message
    client = web(rep)
    url = reverse("channels_email:message_html", args=[message.pk])
    assert f'href="{url}"' in _page(client, ana)
    assert "View the message as sent" in _page(client, ana)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert "<b>cotação</b>" in body
    content = body.split('class="email-as-sent', 1)[1]
    assert "<script" not in content.lower()
    assert "onerror" not in content.lower() and "javascript:" not in content.lower()


def _mail(number: int) -> bytes:
    mime = MimeMessage()
    mime["From"] = "ana.souza@cliente.com.br"
    mime["To"] = "vendas@elo.example"
    mime["Subject"] = f"Mensagem {number}"
    mime["Message-ID"] = f"<volume-{number}@cliente.com.br>"
    mime.set_content(f"Resposta {number}\n\nOn Monday someone wrote:\n> pergunta {number}\n")
    mime.add_alternative(f"<p>Resposta {number}</p>", subtype="html")
    mime.add_attachment(PNG, maintype="image", subtype="png", filename=f"logo-{number}.png")
    mime.add_attachment(b"a,b\n", maintype="text", subtype="csv", filename=f"dados-{number}.csv")
    return mime.as_bytes()


def test_timeline_queries_stay_flat_with_more_emails(
    ingest: Any, ana: Any, web: Any, rep: Any, django_assert_max_num_queries: Any
) -> None:
    client = web(rep)
    for number in range(2):
        ingest(_mail(number))
    url = reverse("contacts:person_detail", args=[ana.pk])
    with django_assert_max_num_queries(16) as few:
        html = client.get(url).content.decode()
    assert html.count("/download/") == 4

    for number in range(2, 20):
        ingest(_mail(number))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("/download/") == 40
    assert html.count("Show quoted text") == 20
