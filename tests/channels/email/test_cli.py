"""`elo ingest-email FILE|-`: one message or an mbox of many."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from elo.activities.models import Activity
from elo.channels.email.models import EmailMessage
from elo.sales.models import Lead

Eml = Callable[[str], bytes]


def _mbox(messages: list[bytes]) -> bytes:
    parts = []
    for raw in messages:
        body = raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
        parts.append(b"From MAILER-DAEMON Mon Nov 16 09:00:00 2026\n" + body + b"\n")
    return b"".join(parts)


def test_mbox_with_a_thread_a_stranger_and_a_duplicate(
    admin: Any, make_person: Any, eml: Eml, tmp_path: Path
) -> None:
    ana = make_person(given_name="Ana", emails=["ana.souza@cliente.com.br"])
    names = ["thread_1.eml", "thread_2.eml", "thread_3.eml", "portuguese_latin1_qp.eml"]
    path = tmp_path / "inbox.mbox"
    path.write_bytes(_mbox([eml(name) for name in [*names, "thread_1.eml"]]))
    out = io.StringIO()

    call_command("ingest_email", str(path), stdout=out)

    assert out.getvalue().strip() == "4 stored, 1 already stored, 0 not filed, 0 failed"
    assert Activity.objects.filter(person=ana, kind="email").count() == 3
    assert EmailMessage.objects.filter(thread_id="thread-1.9f8e@mail.cliente.com.br").count() == 3
    lead = Lead.objects.get()
    assert lead.email == "joao@exemplo.com.br"
    latin = EmailMessage.objects.get(message_id="4f2a.1003@exemplo.com.br")
    assert "A reunião será na terça-feira às 15h" in latin.text


def test_standard_input(admin: Any, eml: Eml, monkeypatch: Any) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(eml("portuguese_latin1_qp.eml")))
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()

    call_command("ingest_email", "-", stdout=out)

    assert out.getvalue().strip() == "1 stored, 0 already stored, 0 not filed, 0 failed"
    assert EmailMessage.objects.get().subject == "Orçamento de instalação, São Paulo"


def test_acting_user_and_missing_file(admin: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("ingest_email", str(tmp_path / "nothing.eml"))
    with pytest.raises(CommandError, match="No acting user"):
        call_command("ingest_email", str(tmp_path / "nothing.eml"), "--as", "nobody@x.org")


def test_cli_usage_names_the_command(capsys: Any) -> None:
    from elo.cli import main

    main(["--help"])

    assert "ingest-email FILE|-" in capsys.readouterr().out


# `elo` runs the command like a shell would, closing the database connections afterwards:
# that ends a test's enclosing transaction on PostgreSQL, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_elo_ingest_email_runs_the_command(admin: Any, eml: Eml, tmp_path: Path) -> None:
    from elo.cli import main

    path = tmp_path / "one.eml"
    path.write_bytes(eml("portuguese_latin1_qp.eml"))

    main(["ingest-email", str(path)])

    assert EmailMessage.objects.get().message_id == "4f2a.1003@exemplo.com.br"
