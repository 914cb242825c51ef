"""Ingestion at volume: generated threaded mail, timed. The suite runs 300 messages; set
ELO_EMAIL_VOLUME=10000 for the full measurement (the bar: 10,000 in under 60 s)."""

from __future__ import annotations

import io
import os
import time
from email.message import EmailMessage as MimeMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from django.core.management import call_command

from elo.activities.models import Activity
from elo.channels.email.models import EmailMessage
from elo.contacts.models import Person, PersonEmail
from elo.sales.models import Lead

TOTAL = int(os.environ.get("ELO_EMAIL_VOLUME", "300"))
PER_THREAD = 5
KNOWN_PEOPLE = 100


def _generate(total: int) -> list[bytes]:
    """Threads of five: a customer writes, then replies come with In-Reply-To and
    References; one thread in five is from a sender the CRM does not know."""
    import datetime

    start = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    messages = []
    for thread in range(total // PER_THREAD):
        known = thread % 5 != 4
        sender = f"cliente{thread % KNOWN_PEOPLE}@empresa{thread % KNOWN_PEOPLE}.com.br"
        if not known:
            sender = f"novo{thread}@desconhecido{thread}.com.br"
        ids: list[str] = []
        for step in range(PER_THREAD):
            mime = MimeMessage(policy=SMTP)
            mime["From"] = f"Cliente Número {thread} <{sender}>"
            mime["To"] = "vendas@elo.example"
            mime["Subject"] = ("Re: " if step else "") + f"Orçamento nº {thread} — instalação"
            mime["Date"] = format_datetime(start + datetime.timedelta(minutes=thread + step))
            message_id = f"t{thread}.m{step}@empresa.com.br"
            mime["Message-ID"] = f"<{message_id}>"
            if ids:
                mime["In-Reply-To"] = f"<{ids[-1]}>"
                mime["References"] = " ".join(f"<{item}>" for item in ids)
            quoted = "\n".join(f"> linha {n} da mensagem anterior" for n in range(5))
            mime.set_content(
                f"Mensagem {step} do pedido {thread}: preço, condições e instalação.\n\n"
                f"Em seg., 5 de jan. de 2026, Vendas escreveu:\n{quoted}\n",
                charset="utf-8",
            )
            ids.append(message_id)
            messages.append(mime.as_bytes())
    return messages


def test_threaded_volume_is_ingested_quickly_with_threads_intact(
    admin: Any, tmp_path: Path
) -> None:
    from elo.contacts.services import person_create

    for number in range(KNOWN_PEOPLE):
        person_create(
            actor=admin,
            data={
                "given_name": f"Cliente {number}",
                "emails": [f"cliente{number}@empresa{number}.com.br"],
            },
        )
    mbox = tmp_path / "volume.mbox"
    mbox.write_bytes(
        b"".join(
            b"From MAILER-DAEMON Mon Jan  5 09:00:00 2026\n"
            + raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
            + b"\n"
            for raw in _generate(TOTAL)
        )
    )
    out = io.StringIO()

    started = time.perf_counter()
    call_command("ingest_email", str(mbox), stdout=out)
    elapsed = time.perf_counter() - started
    print(f"\ningested {TOTAL} messages in {elapsed:.1f} s")

    assert out.getvalue().strip() == f"{TOTAL} stored, 0 already stored, 0 not filed, 0 failed"

    threads = TOTAL // PER_THREAD
    assert EmailMessage.objects.count() == Activity.objects.filter(kind="email").count() == TOTAL
    assert EmailMessage.objects.values("thread_id").distinct().count() == threads
    assert Lead.objects.count() == threads // 5
    # Every message of a thread is on the one record its first message went on.
    for field in ("activity__person", "activity__lead"):
        rows = EmailMessage.objects.exclude(**{f"{field}__isnull": True}).values_list(
            "thread_id", field
        )
        by_thread: dict[str, set[int]] = {}
        for thread_id, record in rows:
            by_thread.setdefault(thread_id, set()).add(record)
        assert all(len(records) == 1 for records in by_thread.values())
    assert Person.objects.count() == KNOWN_PEOPLE == PersonEmail.objects.count()
    assert elapsed < 60 * TOTAL / 10_000
