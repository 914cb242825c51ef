"""The corpus of hand-written messages parses without loss: headers, bodies in every
transfer encoding and charset, attachments, sanitised HTML and folded quotes."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from elo.channels.email.parsing import decode_bytes, parse, raw_digest, split_quoted

Eml = Callable[[str], bytes]


def test_multipart_alternative_keeps_text_and_sanitised_html(eml: Eml) -> None:
    parsed = parse(eml("multipart_alternative.eml"))

    assert parsed.message_id == "CAB7x9Q=a1b2c3@mail.cliente.com.br"
    assert parsed.subject == "Cotação para 50 licenças"
    assert (parsed.from_name, parsed.from_address) == (
        "Ana Souza Gonçalves",
        "ana.souza@cliente.com.br",
    )
    assert parsed.to == [("Vendas Elo", "vendas@elo.example")]
    assert parsed.date == datetime.datetime(2026, 11, 10, 17, 2, 5, tzinfo=datetime.UTC)
    assert parsed.new_text == (
        "Olá,\n\nGostaríamos de uma cotação para 50 licenças, com\ninstalação em São Paulo."
        "\n\nVeja o site: https://cliente.com.br/projeto\n\nAna"
    )
    assert parsed.quoted_text == ""
    assert parsed.attachments == []
    html = parsed.html
    assert "<b>cotação</b>" in html
    assert 'href="https://cliente.com.br/projeto"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    for unsafe in ("<script", "alert(", "<style", "onclick", "<img", "tracker.example"):
        assert unsafe not in html


def test_attachments_base64_body_and_encoded_cc(eml: Eml) -> None:
    parsed = parse(eml("attachments.eml"))

    assert parsed.subject == "Proposta revisada — condições"
    assert parsed.cc == [("José Araújo", "jose@fornecedor.pt")]
    assert "Não há mudanças no preço" in parsed.text
    assert parsed.text.endswith("João Conceição\nAções & Serviços Ltda.")
    pdf, image = parsed.attachments
    assert (pdf.filename, pdf.content_type, pdf.size) == (
        "proposta revisão 2.pdf",
        "application/pdf",
        125,
    )
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.content.endswith(b"%%EOF\n")
    assert (image.filename, image.content_type, image.size) == ("logo.png", "image/png", 69)
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_portuguese_in_iso_8859_1_quoted_printable(eml: Eml) -> None:
    parsed = parse(eml("portuguese_latin1_qp.eml"))

    assert parsed.subject == "Orçamento de instalação, São Paulo"
    assert parsed.from_name == "João Conceição"
    assert parsed.text == (
        "Prezados,\n\nGostaríamos de receber um orçamento para a instalação em São Paulo."
        " A reunião será na terça-feira às 15h; não esqueçam as ações pendentes."
        "\n\nObrigado,\nJoão Conceição"
    )


def test_reply_chain_headers_and_folded_quote(eml: Eml) -> None:
    parsed = parse(eml("thread_2.eml"))

    assert parsed.in_reply_to == "thread-1.9f8e@mail.cliente.com.br"
    assert parsed.references == ["thread-1.9f8e@mail.cliente.com.br"]
    assert parsed.new_text == "Esqueci de dizer: queremos incluir mais 10 usuários."
    assert parsed.quoted_text.startswith("Em seg., 16 de nov. de 2026 às 09:00, Ana Souza")
    assert parsed.quoted_text.endswith("> Ana")


def test_outlook_original_message_block_is_folded(eml: Eml) -> None:
    parsed = parse(eml("thread_3.eml"))

    assert parsed.references == [
        "thread-1.9f8e@mail.cliente.com.br",
        "thread-2.1a2b@mail.cliente.com.br",
    ]
    assert parsed.new_text == "Olá, sou do financeiro. Precisamos da nota fiscal até sexta."
    assert parsed.quoted_text.startswith("-----Original Message-----\nFrom: Ana Souza")
    assert parsed.forwarded_from == ""


def test_outlook_forward_names_the_original_sender(eml: Eml) -> None:
    parsed = parse(eml("outlook_forward.eml"))

    assert parsed.subject == "ENC: Pedido de demonstração"
    assert parsed.new_text == "Registrando no CRM."
    assert parsed.quoted_text.startswith("________________________________\nDe: Marta Lima")
    assert "podemos agendar uma demonstração na próxima semana?" in parsed.quoted_text
    assert parsed.forwarded_from == "marta.lima@loja.com.br"


def test_message_without_message_id_and_raw_8bit_header(eml: Eml) -> None:
    raw = eml("no_message_id.eml")
    parsed = parse(raw)

    assert parsed.message_id == ""
    assert parsed.subject == "Aviso automático"
    assert parsed.text == "Backup concluido sem erros."
    assert raw_digest(raw) == raw_digest(eml("no_message_id.eml"))


@pytest.mark.parametrize(
    ("payload", "charset", "expected"),
    [
        ("ação".encode("iso-8859-1"), "iso-8859-1", "ação"),
        ("ação".encode(), "utf-8", "ação"),
        ("ação — “sim”".encode("cp1252"), "utf-8", "ação — “sim”"),
        ("ação".encode(), "x-unknown-charset", "ação"),
        ("ação".encode("cp1252"), None, "ação"),
        ("ação".encode(), "us-ascii", "ação"),
    ],
    ids=["declared-latin1", "utf8", "wrong-utf8-is-cp1252", "unknown", "missing", "ascii-lie"],
)
def test_charset_fallback(payload: bytes, charset: str | None, expected: str) -> None:
    assert decode_bytes(payload, charset) == expected


def test_html_only_message_gets_a_text_body() -> None:
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: html\r\nMessage-ID: <h@x>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=windows-1252\r\n\r\n"
        b"<p>Linha um</p><p>Informa\xe7\xf5es &amp; pre\xe7os</p>"
    )
    parsed = parse(raw)

    assert parsed.text == "Linha um\nInformações & preços"
    assert parsed.html == "<p>Linha um</p><p>Informações &amp; preços</p>"


def test_forwarded_attachment_message_names_its_sender() -> None:
    raw = (
        b"From: Paula <paula@elo.example>\r\nTo: log@elo.example\r\nSubject: Fwd: pedido\r\n"
        b"Message-ID: <fwd@x>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nVeja abaixo.\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: Leo <leo@compras.example>\r\nSubject: pedido\r\n\r\nQuero comprar.\r\n"
        b"--b--\r\n"
    )
    parsed = parse(raw)

    assert parsed.forwarded_from == "leo@compras.example"
    assert [(item.filename, item.content_type) for item in parsed.attachments] == [
        ("pedido.eml", "message/rfc822")
    ]
    assert b"Quero comprar." in parsed.attachments[0].content


@pytest.mark.parametrize(
    ("text", "new", "quoted_start"),
    [
        ("Ok!\n\nOn Mon, 2 Nov 2026 at 10:00, Ana <a@b.c> wrote:\n> hi", "Ok!", "On Mon"),
        ("Certo.\n\nEm 2 nov. 2026, Ana escreveu:\n> oi", "Certo.", "Em 2 nov"),
        ("Yes\n> old\n>> older", "Yes", "> old"),
        ("See inline\n> question?\nanswer\n", "See inline\n> question?\nanswer", None),
        ("Hi\n\nDe: Ana\nEnviado: hoje\nPara: Rui\nAssunto: x\n\nold", "Hi", "De: Ana"),
        ("Em breve mando o resto.", "Em breve mando o resto.", None),
    ],
    ids=["on-wrote", "em-escreveu", "trailing-quotes", "inline-reply", "de-block", "no-quote"],
)
def test_split_quoted(text: str, new: str, quoted_start: str | None) -> None:
    got_new, got_quoted = split_quoted(text)

    assert got_new == new
    if quoted_start is None:
        assert got_quoted == ""
    else:
        assert got_quoted.startswith(quoted_start)


def test_encoded_words_in_an_unknown_or_wrong_charset_still_read() -> None:
    raw = (
        b"From: =?x-unknown?Q?Jo=C3=A3o?= <joao@example.com>\r\n"
        b"To: vendas@elo.example\r\n"
        b"Subject: =?utf-8?Q?Pre=E7o_e_condi=E7=F5es?=\r\n"
        b"Message-ID: <charset@x>\r\n\r\nok\r\n"
    )
    parsed = parse(raw)

    assert parsed.from_name == "João"
    assert parsed.subject == "Preço e condições"
