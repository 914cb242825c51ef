"""Elo speaks English, Brazilian Portuguese and European Portuguese.

The catalogs are complete and compiled, every page follows the user's language, and the
templates carry no text outside the translation tags.
"""

from __future__ import annotations

import datetime
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, translation

SOURCE = Path(__file__).resolve().parent.parent / "src" / "elo"
LOCALE = SOURCE / "locale"
CATALOGS = {"pt-br": "pt_BR", "pt-pt": "pt_PT"}

# --- a tiny .po reader ----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header and obsolete (#~) entries left out."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, target = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (\".*\")$", line
            ):
                kind, index, text = match.groups()
                target = f"msgstr{index or 0}" if kind == "msgstr" else kind
                _append(entry, target, _unquote(text), start=True)
            elif line.startswith('"'):
                _append(entry, target, _unquote(line), start=False)
        if entry.msgid or entry.msgstr:
            if entry.msgid == "" and entry.msgctxt is None:
                continue  # the header
            entries.append(entry)
    return entries


def _append(entry: Entry, target: str, text: str, *, start: bool) -> None:
    if target.startswith("msgstr"):
        index = int(target[6:])
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    elif target == "msgid":
        entry.msgid = ("" if start else entry.msgid) + text
    elif target == "msgid_plural":
        entry.msgid_plural = ("" if start else entry.msgid_plural or "") + text
    elif target == "msgctxt":
        entry.msgctxt = ("" if start else entry.msgctxt or "") + text


def po_path(language: str) -> Path:
    return LOCALE / CATALOGS[language] / "LC_MESSAGES" / "django.po"


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|</?\w+[^>]*>|&\w+;")


# --- the catalogs ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", CATALOGS)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = parse_po(po_path(language))

    assert len(entries) > 100
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_placeholders_markup_and_plural_forms(language: str) -> None:
    for entry in parse_po(po_path(language)):
        if entry.msgid_plural is None:
            assert list(entry.msgstr) == [0], entry.msgid
        else:
            assert list(entry.msgstr) == [0, 1], entry.msgid  # both languages: nplurals=2
        source = entry.msgid_plural or entry.msgid
        expected = sorted(PLACEHOLDER.findall(source))
        for text in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(text)) == expected, (entry.msgid, text)


def test_both_portuguese_catalogs_hold_the_same_messages() -> None:
    brazil = {entry.key for entry in parse_po(po_path("pt-br"))}
    portugal = {entry.key for entry in parse_po(po_path("pt-pt"))}

    assert brazil == portugal


def test_the_two_portuguese_catalogs_are_not_copies() -> None:
    brazil = {entry.key: entry.msgstr[0] for entry in parse_po(po_path("pt-br"))}
    portugal = {entry.key: entry.msgstr[0] for entry in parse_po(po_path("pt-pt"))}

    for msgid, br, pt in [
        ("Save", "Salvar", "Guardar"),
        ("Delete", "Excluir", "Eliminar"),
        ("Users", "Usuários", "Utilizadores"),
        ("Team", "Equipe", "Equipa"),
        ("Timeline", "Linha do tempo", "Cronologia"),
    ]:
        assert (brazil[(None, msgid)], portugal[(None, msgid)]) == (br, pt)


@pytest.mark.parametrize("language", CATALOGS)
def test_compiled_catalog_matches_the_po_file(language: str) -> None:
    """The committed .mo is what the app reads; it must say what the .po says."""
    po = po_path(language)
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    for entry in parse_po(po):
        if entry.msgid_plural is not None:
            for n, index in ((1, 0), (2, 1)):
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                assert got == entry.msgstr[index], (entry.msgid, n)
        elif entry.msgctxt is not None:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0], entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", CATALOGS)
def test_po_file_passes_msgfmt_check(language: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("xgettext", "msguniq", "msgmerge")),
    reason="GNU gettext is not installed",
)
def test_catalogs_hold_every_marked_string(tmp_path: Path, monkeypatch: Any) -> None:
    """Extracts the marked strings afresh from a copy of the code: a string marked for
    translation but missing from the catalogs would show in English. Fix it with the
    commands in CONTRIBUTING.md."""
    copy = tmp_path / "elo"
    shutil.copytree(
        SOURCE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc", "static")
    )
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["pt_BR"], verbosity=0, no_location=True)

    extracted = {entry.key for entry in parse_po(copy / "locale/pt_BR/LC_MESSAGES/django.po")}
    catalog = {entry.key for entry in parse_po(po_path("pt-br"))}
    assert sorted(extracted - catalog, key=str) == []


# --- templates ------------------------------------------------------------------------------

# Text that is the same in every language.
UNTRANSLATED_TEXT = {"Elo"}
VISIBLE_ATTRIBUTES = re.compile(r'\b(title|aria-label|placeholder|alt)="([^"]*)"')


def _outside_translation(source: str) -> str:
    """The template with comments, translated blocks, tags, variables and scripts removed."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    return re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", source, flags=re.S)


def test_templates_have_no_text_outside_translation_tags() -> None:
    templates = sorted(SOURCE.glob("*/templates/**/*.html"))
    assert templates
    unmarked = []
    for path in templates:
        rest = _outside_translation(path.read_text(encoding="utf-8"))
        for _name, value in VISIBLE_ATTRIBUTES.findall(rest):
            if re.search(r"[^\W\d_]{2}", value):
                unmarked.append(f"{path.relative_to(SOURCE)}: {value.strip()}")
        text = re.sub(r"<[^>]*>", "\n", rest)
        for line in text.splitlines():
            words = line.strip()
            if re.search(r"[^\W\d_]{2}", words) and words.strip("· ") not in UNTRANSLATED_TEXT:
                unmarked.append(f"{path.relative_to(SOURCE)}: {words}")
    assert unmarked == []


def test_the_template_check_catches_an_unmarked_word() -> None:
    rest = _outside_translation(
        '{% load i18n %}<p title="Hello">{% translate "Save" %} Cancel</p>'
        "{% blocktranslate %}Kept {{ x }}{% endblocktranslate %}"
    )

    assert VISIBLE_ATTRIBUTES.findall(rest) == [("title", "Hello")]
    assert re.sub(r"<[^>]*>", " ", rest).split() == ["Cancel"]


# --- pages ----------------------------------------------------------------------------------

PAGE_WORDS = {
    "pt-br": ["Pessoas", "Organizações", "Minhas tarefas", "Configurações", "Sair", "Salvar"],
    "pt-pt": ["Pessoas", "Organizações", "As minhas tarefas", "Definições", "Guardar"],
}
DETAIL_WORDS = {
    "pt-br": ["Editar", "Excluir", "Linha do tempo", "Histórico", "Responsável", "Equipe"],
    "pt-pt": ["Editar", "Eliminar", "Cronologia", "Histórico", "Responsável", "Equipa"],
}
ENGLISH = [
    ">People<",
    ">Organizations<",
    ">My tasks<",
    ">Settings<",
    "Sign out",
    ">Save<",
    ">Delete<",
    ">Timeline<",
    "Search people and organizations",
]


def _pages(client: Any, person: Any) -> dict[str, str]:
    names = {
        "home": reverse("web:home"),
        "people": reverse("contacts:person_list"),
        "person": reverse("contacts:person_detail", args=[person.pk]),
        "edit": reverse("contacts:person_edit", args=[person.pk]),
        "settings": reverse("identity:settings"),
    }
    pages = {}
    for name, url in names.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("language", CATALOGS)
def test_signed_in_pages_speak_the_users_saved_language(
    web: Any, manager: Any, make_person: Any, language: str
) -> None:
    person = make_person()  # owned by a rep of the manager's team
    manager.language = language
    manager.save(update_fields=["language"])

    pages = _pages(web(manager), person)  # force_login: no language cookie, only the saved choice

    everything = "\n".join(pages.values())
    for page in pages.values():
        assert f'<html lang="{language}">' in page
    for word in PAGE_WORDS[language]:
        assert word in everything, word
    for word in DETAIL_WORDS[language]:
        assert word in pages["person"], word
    for english in ENGLISH:
        assert english not in everything, english


def test_signed_in_pages_stay_english_for_an_english_user(
    web: Any, rep: Any, make_person: Any
) -> None:
    pages = _pages(web(rep), make_person())

    assert ">People<" in pages["home"]
    assert "Pessoas" not in "\n".join(pages.values())


def test_the_saved_language_wins_over_the_cookie(web: Any, rep: Any, make_person: Any) -> None:
    rep.language = "pt-pt"
    rep.save(update_fields=["language"])
    client = web(rep)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"

    page = client.get(reverse("contacts:person_list")).content.decode()

    assert "Definições" in page
    assert "Configurações" not in page


@pytest.mark.parametrize(
    ("header", "sign_in"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.5", "Entrar"),
        ("pt-PT,pt;q=0.9", "Iniciar sessão"),
        ("en-US,en;q=0.9", "Sign in"),
        ("", "Sign in"),
    ],
)
def test_login_page_follows_accept_language(
    client: Any, db: Any, header: str, sign_in: str
) -> None:
    page = client.get(reverse("identity:login"), HTTP_ACCEPT_LANGUAGE=header).content.decode()

    assert sign_in in page


def test_login_page_follows_the_language_cookie_over_accept_language(client: Any, db: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-pt"

    page = client.get(reverse("identity:login"), HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()

    assert '<html lang="pt-pt">' in page
    assert "Palavra-passe" in page


def test_form_errors_and_messages_are_translated(web: Any, rep: Any) -> None:
    rep.language = "pt-br"
    rep.save(update_fields=["language"])

    response = web(rep).post(reverse("contacts:organization_create"), {"name": ""})

    page = response.content.decode()
    assert "Este campo é obrigatório." in page  # Django's own catalog
    assert "Cadastrar organização" in page


# --- dates and numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["pt-br", "pt-pt"])
def test_dates_render_day_first_in_portuguese(
    web: Any, rep: Any, make_person: Any, language: str
) -> None:
    person = make_person()
    noon = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=datetime.UTC)
    type(person).objects.filter(pk=person.pk).update(created_at=noon)
    rep.language = language
    rep.save(update_fields=["language"])

    page = web(rep).get(reverse("contacts:person_detail", args=[person.pk])).content.decode()

    assert "05/03/2026" in page


def test_dates_render_month_first_in_english(web: Any, rep: Any, make_person: Any) -> None:
    person = make_person()
    noon = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=datetime.UTC)
    type(person).objects.filter(pk=person.pk).update(created_at=noon)

    page = web(rep).get(reverse("contacts:person_detail", args=[person.pk])).content.decode()

    assert "03/05/2026" in page


@pytest.mark.parametrize("language", ["pt-br", "pt-pt"])
def test_month_names_and_decimals_are_portuguese(language: str) -> None:
    with translation.override(language):
        assert formats.date_format(datetime.date(2026, 3, 5)).lower() == "5 de março de 2026"
        assert formats.number_format(1234.5, 1) == "1234,5"


def test_shipped_role_names_are_translated_until_renamed(rep: Any) -> None:
    role = rep.role

    with translation.override("pt-pt"):
        assert str(role) == "Comercial"
    with translation.override("pt-br"):
        assert str(role) == "Vendedor"
    role.name = "Closers"
    with translation.override("pt-br"):
        assert str(role) == "Closers"


@pytest.mark.parametrize("language", ["en", "pt-br", "pt-pt"])
def test_language_menus_name_each_language_in_its_own_words(
    client: Any, web: Any, rep: Any, language: str
) -> None:
    own_names = ["English", "Português (Brasil)", "Português (Portugal)"]
    login = client.get(reverse("identity:login"), HTTP_ACCEPT_LANGUAGE=language)
    rep.language = language if language != "en" else ""
    rep.save(update_fields=["language"])
    home = web(rep).get(reverse("web:home"))

    for page in (login.content.decode(), home.content.decode()):
        menu = re.search(r'<select[^>]*name="language".*?</select>', page, flags=re.S)
        assert menu is not None
        assert re.findall(r"<option[^>]*>([^<]*)</option>", menu.group(0)) == own_names
