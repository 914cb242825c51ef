"""The `elo` command: a friendly front to Elo's management commands."""

from __future__ import annotations

import os
import sys

USAGE = """usage: elo COMMAND [options]

  demo                     migrate, load demo data, start the worker and serve
  serve [--port N]         serve the web UI and API (gunicorn)
  worker                   run background tasks and deliver events
  migrate                  create or update the database tables
  createuser --email E --password P --role R [--team T]
  token create --user EMAIL [--name N]   print a new API token (shown once)
  import FILE --entity people|organizations|activities|deals [--preset NAME] [--dry-run]
         [--upsert-by external_id|email] [--skip-invalid]   CSV, XLSX or vCard
  export --entity people|organizations|leads|deals|activities|quotes|orders|invoices|payments
         --format csv|xlsx|vcf|ics [-o FILE] [--filter KEY=VALUE ...] [--user EMAIL]
  ingest-email FILE|-      take in mail from a .eml or mbox file (or stdin)
  bench                    run the standard benchmark workload

Configuration comes from ELO_* environment variables (see README.md).
"""

ALIASES = {"import": "import_file", "export": "export_file", "ingest-email": "ingest_email"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elo.settings")
    from django.core.management import execute_from_command_line

    command = ALIASES.get(args[0], args[0])
    execute_from_command_line(["elo", command, *args[1:]])


if __name__ == "__main__":
    main()
