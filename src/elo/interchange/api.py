from __future__ import annotations

import io
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router, UploadedFile

from elo.interchange import services
from elo.interchange.schemas import ImportRunOut

router = Router(tags=["import"])


@router.post("/imports", response={201: ImportRunOut}, summary="Import a CSV or vCard file")
def create_import(
    request: HttpRequest,
    entity: Form[str],
    file: File[UploadedFile],
    skip_invalid: Form[bool] = False,
) -> Any:
    """Loads `file` (UTF-8 CSV with a header line) as people, organizations, activities or
    deals; a vCard file (`.vcf` or `text/vcard`, versions 2.1, 3.0 and 4.0) loads as people."""
    if services.is_vcard(file.name or "", file.content_type or ""):
        run = services.import_vcard(
            actor=request.user,
            entity=entity,
            data=file.read(),
            filename=file.name or "",
            skip_invalid=skip_invalid,
        )
        return 201, run
    try:
        text = io.TextIOWrapper(cast(IO[bytes], file.file), encoding="utf-8-sig", newline="")
        run = services.import_csv(
            actor=request.user,
            entity=entity,
            stream=text,
            filename=file.name or "",
            skip_invalid=skip_invalid,
        )
    except UnicodeDecodeError as error:
        raise ValidationError({"file": "The file is not UTF-8 text."}) from error
    return 201, run
