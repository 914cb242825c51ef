"""Finding people who are probably the same person, and remembering pairs that are not.

How it works, and what it costs
-------------------------------
Comparing every person with every other is O(n²): 100,000 people would be 5·10⁹ pairs. So
candidates come only from *blocks*, groups of people sharing a key:

- the same email (a GROUP BY in the database over `PersonEmail.email`, stored normalised);
- the same phone (a GROUP BY over `PersonPhone.number`, stored in E.164);
- the same name key: the folded name's tokens, sorted ("Silva, João" = "joão silva");
- a name token plus the initial of another token ("joao|s", "silva|j"), which keeps a pair
  together through a typo in the other token, accents or swapped given/family names;
- the same organization (people employed there).

Within a block every pair is compared, except in blocks larger than `WINDOW`: those (a
common surname, a big employer) are sorted by name key and each person is compared with
the next `WINDOW` people only (a sorted neighbourhood), so a block costs at most
`WINDOW` comparisons per member. The total is O(n) reads of names (one query each for
people, shared emails, shared phones and employments) plus O(n · keys · WINDOW) string
comparisons, about 5 keys per person; pairs are scored with rapidfuzz in C.

Scoring (0-100): the name similarity is the larger of rapidfuzz's `token_sort_ratio` and
Jaro-Winkler over the sorted-token keys. The same email or phone lifts the score when the
names agree (or one is missing); a shared phone with a different name (a switchboard, a
family) stays below the threshold. Pairs scoring at least `THRESHOLD` are suggested, with
their reasons ("same email", "same phone", "similar name 93%").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from elo.contacts.cleaning import clean_domain, clean_email, clean_phone, clean_tax_id
from elo.contacts.models import (
    DuplicateDismissal,
    Employment,
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
)
from elo.core import audit, events
from elo.core.permissions import require
from elo.core.search import MIN_SUBSTRING, filter_text
from elo.core.text import fold

THRESHOLD = 88
WINDOW = 30
COMPATIBLE = 80
_NOT_NAME = re.compile(r"[^\w\s]")


@dataclass
class Candidate:
    """One suggested pair: `first_id` < `second_id`."""

    first_id: int
    second_id: int
    score: int
    reasons: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def name_key(given: str, family: str) -> str:
    """Folded, punctuation-free name tokens in sorted order: swapped names give one key."""
    tokens = _NOT_NAME.sub(" ", fold(f"{given} {family}")).split()
    return " ".join(sorted(tokens))


def _token_similarity(first: str, second: str) -> float:
    return max(fuzz.ratio(first, second), JaroWinkler.normalized_similarity(first, second) * 100)


def name_similarity(first: str, second: str) -> int:
    """0-100 similarity of two name keys (see `name_key`): each token of the shorter name is
    matched with its most similar token of the other, and the weakest match counts, so
    "ana almeida" and "ines almeida" are not similar although they end alike. A name with
    an extra token (a middle name) scores at most 95."""
    if not first or not second:
        return 0
    if first == second:
        return 100
    shorter, longer = sorted((first.split(), second.split()), key=len)
    remaining = list(longer)
    weakest = 100.0
    for token in shorter:
        best = max(remaining, key=lambda other: _token_similarity(token, other))
        weakest = min(weakest, _token_similarity(token, best))
        remaining.remove(best)
    score = min(weakest, fuzz.token_sort_ratio(first, second) + 10)
    if len(shorter) != len(longer):
        score = min(score, 95)
    return round(score)


def _token_keys(key: str) -> set[str]:
    tokens = key.split()
    return {
        f"{token}|{other[0]}"
        for index, token in enumerate(tokens)
        for other_index, other in enumerate(tokens)
        if index != other_index and len(token) >= 2
    }


def _pairs_in(members: list[int], keys: dict[int, str]) -> Iterable[tuple[int, int]]:
    """Every pair of a small block; a sorted neighbourhood of `WINDOW` in a large one."""
    if len(members) <= WINDOW:
        for index, first in enumerate(members):
            for second in members[index + 1 :]:
                yield (first, second) if first < second else (second, first)
        return
    ordered = sorted(members, key=lambda pk: (keys.get(pk, ""), pk))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 : index + 1 + WINDOW]:
            yield (first, second) if first < second else (second, first)


def _shared(model: type[models.Model], column: str, people: Any) -> dict[str, list[int]]:
    """{value: [person ids]} for values held by more than one of `people` (one query)."""
    shared = (
        model._default_manager.filter(person__in=people)
        .values(column)
        .annotate(holders=Count("person", distinct=True))
        .filter(holders__gt=1)
        .values(column)
    )
    groups: dict[str, set[int]] = defaultdict(set)
    rows = model._default_manager.filter(person__in=people, **{f"{column}__in": shared})
    for value, person_id in rows.values_list(column, "person_id"):
        groups[value].add(person_id)
    return {value: sorted(ids) for value, ids in groups.items()}


def dismissed_pairs(entity: str, ids: Iterable[int] | None = None) -> set[tuple[int, int]]:
    rows = DuplicateDismissal.objects.filter(entity=entity)
    if ids is not None:
        rows = rows.filter(first_id__in=list(ids))
    return set(rows.values_list("first_id", "second_id"))


def person_candidates(people: Any, *, threshold: int = THRESHOLD) -> list[Candidate]:
    """Suggested duplicate pairs among the `people` queryset (callers pass the visible, not
    deleted ones), best first; dismissed pairs left out. A constant number of queries."""
    names: dict[int, str] = {
        pk: name_key(given, family)
        for pk, given, family in people.values_list("pk", "given_name", "family_name")
    }
    if len(names) < 2:
        return []
    ids = people.values("pk")
    emails = _shared(PersonEmail, "email", ids)
    phones = _shared(PersonPhone, "number", ids)
    email_pairs = {pair for group in emails.values() for pair in _pairs_in(group, names)}
    phone_pairs = {pair for group in phones.values() for pair in _pairs_in(group, names)}

    name_blocks: dict[str, list[int]] = defaultdict(list)
    for pk, key in names.items():
        if not key:
            continue
        name_blocks[key].append(pk)
        for token_key in _token_keys(key):
            name_blocks[token_key].append(pk)
    organizations: dict[int, list[int]] = defaultdict(list)
    for person_id, organization_id in Employment.objects.filter(person__in=ids).values_list(
        "person_id", "organization_id"
    ):
        organizations[organization_id].append(person_id)
    colleague_pairs = {pair for group in organizations.values() for pair in _pairs_in(group, names)}

    pairs = email_pairs | phone_pairs | colleague_pairs
    for group in name_blocks.values():
        if len(group) > 1:
            pairs.update(_pairs_in(group, names))
    dismissed = dismissed_pairs("person")

    found: list[Candidate] = []
    for first, second in pairs:
        if (first, second) in dismissed:
            continue
        candidate = _score(
            first,
            second,
            names,
            same_email=(first, second) in email_pairs,
            same_phone=(first, second) in phone_pairs,
            colleagues=(first, second) in colleague_pairs,
        )
        if candidate.score >= threshold:
            found.append(candidate)
    found.sort(key=lambda item: (-item.score, item.first_id, item.second_id))
    return found


def _score(
    first: int,
    second: int,
    names: dict[int, str],
    *,
    same_email: bool,
    same_phone: bool,
    colleagues: bool,
) -> Candidate:
    first_name, second_name = names.get(first, ""), names.get(second, "")
    similarity = name_similarity(first_name, second_name)
    unnamed = not first_name or not second_name
    compatible = unnamed or similarity >= COMPATIBLE
    # A name alone is weak evidence: "Francisco" and "Francisca" differ by one letter, as a
    # typo does. Only the same name key (accents, case, order) passes on its own.
    candidate = Candidate(
        first, second, 0 if unnamed else (100 if similarity == 100 else similarity - 15)
    )
    if same_email:
        candidate.codes.append("same_email")
        candidate.reasons.append(_("same email"))
        candidate.score = max(candidate.score, 96 if compatible else 80)
    if same_phone:
        candidate.codes.append("same_phone")
        candidate.reasons.append(_("same phone"))
        candidate.score = max(candidate.score, 93 if compatible else 70)
    if same_email and same_phone and compatible:
        candidate.score = max(candidate.score, 99)
    if colleagues and not unnamed and similarity >= COMPATIBLE:
        candidate.codes.append("same_organization")
        candidate.reasons.append(_("same organization"))
        candidate.score = max(candidate.score, min(100, similarity + 8))
    if compatible and not unnamed:
        if similarity == 100:
            candidate.codes.append("same_name")
            candidate.reasons.append(_("same name"))
        else:
            candidate.codes.append("similar_name")
            candidate.reasons.append(_("similar name %(percent)s%%") % {"percent": similarity})
    return candidate


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def duplicate_dismiss(*, actor: Any, entity: str, first: Any, second: Any) -> DuplicateDismissal:
    """Records that `first` and `second` are not the same; the pair is not suggested again.
    Callers fetch both records through `*_get_for(actor, ...)`, so both are visible."""
    require(actor, "contacts.change")
    low, high = pair_key(first.pk, second.pk)
    if low == high:
        raise ValidationError(_("A record cannot be its own duplicate."), code="same_record")
    try:
        with transaction.atomic():
            dismissal = DuplicateDismissal.objects.create(
                entity=entity, first_id=low, second_id=high, dismissed_by=actor
            )
            audit.record(
                action=f"contacts.{entity}.duplicate_dismissed",
                instance=first,
                changes={"not_duplicate_of": [None, second.pk]},
            )
            events.emit(f"contacts.{entity}.duplicate_dismissed", {"ids": [low, high]})
    except IntegrityError:
        dismissal = DuplicateDismissal.objects.get(entity=entity, first_id=low, second_id=high)
    return dismissal


@dataclass
class SuggestedPair:
    first: Person
    second: Person
    score: int
    reasons: list[str]
    codes: list[str]


def person_duplicates_for(user: Any, *, limit: int = 50) -> tuple[int, list[SuggestedPair]]:
    """(how many pairs, the best `limit` of them) among the people `user` sees, both alive.
    A constant number of queries: the candidates' plus one for the people shown."""
    people = Person.objects.visible_to(user).alive()
    found = person_candidates(people)
    shown = found[:limit]
    wanted = {item.first_id for item in shown} | {item.second_id for item in shown}
    by_id = {person.pk: person for person in people.filter(pk__in=wanted)}
    pairs = [
        SuggestedPair(
            by_id[item.first_id], by_id[item.second_id], item.score, item.reasons, item.codes
        )
        for item in shown
        if item.first_id in by_id and item.second_id in by_id
    ]
    return len(found), pairs


def merged_survivor_for(user: Any, pk: Any) -> int:
    """The id of the person that the visible, merged person `pk` now lives on, following
    earlier merges; Http404 when `pk` was not merged or the survivor is not visible."""
    visible = Person.objects.visible_to(user)
    current: Any = pk
    for _hop in range(10):
        row = visible.filter(pk=current).values_list("merged_into_id", "deleted_at").first()
        if row is None:
            raise Http404
        merged_into, deleted_at = row
        if merged_into is None:
            if current == pk or deleted_at is not None:
                raise Http404
            return int(current)
        current = merged_into
    raise Http404


# --- organizations ------------------------------------------------------------------------
#
# Blocks: the same tax id, the same domain, the same name key (legal forms such as "Ltda" or
# "S.A." dropped) and a name token plus another's initial, as for people. Names, domains
# and tax ids are read in one query; the cost is O(n) plus the comparisons inside blocks.

_LEGAL_FORMS = {
    "ltda", "lda", "sa", "me", "epp", "eireli", "inc", "llc", "ltd", "limited", "gmbh",
    "cia", "co", "unipessoal", "plc", "srl", "sl",
}  # fmt: skip
_JOINED = re.compile(r"[./]")


def organization_name_key(name: str) -> str:
    """Folded name tokens without punctuation and legal forms, sorted."""
    tokens = _NOT_NAME.sub(" ", _JOINED.sub("", fold(name))).split()
    return " ".join(sorted(token for token in tokens if token not in _LEGAL_FORMS))


def organization_candidates(organizations: Any, *, threshold: int = THRESHOLD) -> list[Candidate]:
    """Suggested duplicate pairs among the `organizations` queryset, best first."""
    names: dict[int, str] = {}
    blocks: dict[str, list[int]] = defaultdict(list)
    for pk, name, domains, tax_id in organizations.values_list("pk", "name", "domains", "tax_id"):
        key = organization_name_key(name)
        names[pk] = key
        compact = "".join(char for char in tax_id if char.isalnum()).upper()
        # A Portuguese NIF and the same company's VAT number ("PT" + NIF) are one id.
        compact = compact[2:] if compact[:2].isalpha() else compact
        if compact:
            blocks[f"tax:{compact}"].append(pk)
        for domain in domains or []:
            blocks[f"domain:{str(domain).lower()}"].append(pk)
        if key:
            blocks[f"name:{key}"].append(pk)
            for token_key in _token_keys(key):
                blocks[f"name:{token_key}"].append(pk)
    same: dict[str, set[tuple[int, int]]] = {"tax": set(), "domain": set()}
    pairs: set[tuple[int, int]] = set()
    for block, group in blocks.items():
        if len(group) < 2:
            continue
        found_pairs = set(_pairs_in(sorted(set(group)), names))
        kind = block.split(":", 1)[0]
        if kind in same:
            same[kind] |= found_pairs
        pairs |= found_pairs
    dismissed = dismissed_pairs("organization")
    found = []
    for first, second in pairs:
        if (first, second) in dismissed:
            continue
        candidate = _score_organization(
            first,
            second,
            names,
            same_tax_id=(first, second) in same["tax"],
            same_domain=(first, second) in same["domain"],
        )
        if candidate.score >= threshold:
            found.append(candidate)
    found.sort(key=lambda item: (-item.score, item.first_id, item.second_id))
    return found


def _score_organization(
    first: int, second: int, names: dict[int, str], *, same_tax_id: bool, same_domain: bool
) -> Candidate:
    first_name, second_name = names.get(first, ""), names.get(second, "")
    similarity = name_similarity(first_name, second_name)
    unnamed = not first_name or not second_name
    compatible = unnamed or similarity >= 70
    candidate = Candidate(
        first, second, 0 if unnamed else (100 if similarity == 100 else similarity - 15)
    )
    if same_tax_id:
        candidate.codes.append("same_tax_id")
        candidate.reasons.append(_("same tax id"))
        candidate.score = max(candidate.score, 99)
    if same_domain:
        candidate.codes.append("same_domain")
        candidate.reasons.append(_("same domain"))
        candidate.score = max(candidate.score, 95 if compatible else 80)
    if compatible and not unnamed:
        if similarity == 100:
            candidate.codes.append("same_name")
            candidate.reasons.append(_("same name"))
        else:
            candidate.codes.append("similar_name")
            candidate.reasons.append(_("similar name %(percent)s%%") % {"percent": similarity})
    return candidate


@dataclass
class SuggestedOrganizationPair:
    first: Organization
    second: Organization
    score: int
    reasons: list[str]
    codes: list[str]


def organization_duplicates_for(
    user: Any, *, limit: int = 50
) -> tuple[int, list[SuggestedOrganizationPair]]:
    """(how many pairs, the best `limit`) among the organizations `user` sees, both alive."""
    organizations = Organization.objects.visible_to(user).alive()
    found = organization_candidates(organizations)
    shown = found[:limit]
    wanted = {item.first_id for item in shown} | {item.second_id for item in shown}
    by_id = {record.pk: record for record in organizations.filter(pk__in=wanted)}
    return len(found), [
        SuggestedOrganizationPair(
            by_id[item.first_id], by_id[item.second_id], item.score, item.reasons, item.codes
        )
        for item in shown
        if item.first_id in by_id and item.second_id in by_id
    ]


# --- checking new values: "this looks like João Silva, open it?" ---------------------------
#
# Before a record is created (a form, an API client calling /similar, an import's report),
# the values typed are compared with the existing records the user sees. Every lookup is
# index-backed: emails and phones by their indexed columns, names through the search index
# (a name token plus the initial of another, the review queue's blocks), domains and tax ids
# through the same search index, then checked exactly. At most `SIMILAR_POOL` rows are read
# per lookup, so the cost does not grow with the number of people.

SIMILAR_POOL = 300
NEW = 0  # the id the values being checked take in the scoring functions


@dataclass
class Similar:
    record: Any
    score: int
    reasons: list[str]
    codes: list[str]


def _excluded(exclude: Any) -> int | None:
    return None if exclude is None else int(getattr(exclude, "pk", exclude))


def _lenient(values: Iterable[str], cleaner: Any) -> list[str]:
    cleaned = []
    for value in values:
        try:
            cleaned.append(cleaner(str(value)))
        except ValidationError:
            continue
    return cleaned


def _name_lookups(key: str) -> list[str]:
    """Search queries for a name key: all its tokens, and each token of three or more
    letters with the initial of another (a typo in the other token still matches)."""
    tokens = key.split()
    long_tokens = [token for token in tokens if len(token) >= MIN_SUBSTRING]
    lookups = [" ".join(long_tokens)] if long_tokens else []
    for token_key in sorted(_token_keys(key)):
        token, initial = token_key.split("|")
        if len(token) >= MIN_SUBSTRING:
            lookups.append(f"{token} {initial}")
    return lookups


def _name_pool(records: Any, key: str, fields: tuple[str, ...]) -> dict[int, tuple[Any, ...]]:
    pool: dict[int, tuple[Any, ...]] = {}
    for lookup in _name_lookups(key):
        rows = filter_text(records, lookup, fts_table=_fts_table(records)).order_by(
            "search_rank", "pk"
        )
        for row in rows.values_list("pk", *fields)[:SIMILAR_POOL]:
            pool[row[0]] = row[1:]
    return pool


def _fts_table(records: Any) -> str:
    return f"{records.model._meta.db_table}_fts"


def _similar_people_queryset(user: Any) -> Any:
    return (
        Person.objects.visible_to(user)
        .alive()
        .filter(merged_into__isnull=True, erased_at__isnull=True)
    )


def similar_people(
    user: Any,
    *,
    given_name: str = "",
    family_name: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    exclude: Any = None,
    limit: int = 5,
) -> list[Similar]:
    """The existing people `user` sees that the given values would duplicate, best first,
    scored as the review queue scores a pair. Emails and phones are normalised as the
    contacts services store them (invalid ones are ignored). A constant number of queries."""
    people = _similar_people_queryset(user)
    excluded = _excluded(exclude)
    if excluded is not None:
        people = people.exclude(pk=excluded)
    email_list = _lenient(emails, clean_email)
    phone_list = _lenient(phones, clean_phone)
    key = name_key(given_name, family_name)
    names: dict[int, str] = {NEW: key}
    same_email: set[int] = set()
    same_phone: set[int] = set()
    if email_list:
        rows = PersonEmail.objects.filter(email__in=email_list)
        same_email = set(rows.values_list("person_id", flat=True)[:SIMILAR_POOL])
    if phone_list:
        held = PersonPhone.objects.filter(number__in=phone_list)
        same_phone = set(held.values_list("person_id", flat=True)[:SIMILAR_POOL])
    if key:
        for pk, (given, family) in _name_pool(people, key, ("given_name", "family_name")).items():
            names[pk] = name_key(given, family)
    missing = (same_email | same_phone) - set(names)
    if missing:
        for pk, given, family in people.filter(pk__in=missing).values_list(
            "pk", "given_name", "family_name"
        ):
            names[pk] = name_key(given, family)
    # The email and phone lookups read the index only; visibility is applied here.
    hidden = (same_email | same_phone) - set(names)
    same_email -= hidden
    same_phone -= hidden
    dismissed = dismissed_pairs("person", [excluded]) if excluded is not None else set()
    scored = []
    for pk in set(names) - {NEW}:
        if excluded is not None and pair_key(excluded, pk) in dismissed:
            continue
        candidate = _score(
            NEW,
            pk,
            names,
            same_email=pk in same_email,
            same_phone=pk in same_phone,
            colleagues=False,
        )
        if candidate.score >= THRESHOLD:
            scored.append(candidate)
    return _with_records(people, scored, limit)


def _with_records(records: Any, scored: list[Candidate], limit: int) -> list[Similar]:
    scored.sort(key=lambda item: (-item.score, item.second_id))
    shown = scored[:limit]
    if not shown:
        return []
    by_id = {record.pk: record for record in records.filter(pk__in=[c.second_id for c in shown])}
    return [
        Similar(by_id[item.second_id], item.score, item.reasons, item.codes)
        for item in shown
        if item.second_id in by_id
    ]


def _compact_tax_id(value: str) -> str:
    compact = "".join(char for char in value if char.isalnum()).upper()
    return compact[2:] if compact[:2].isalpha() else compact


def similar_organizations(
    user: Any,
    *,
    name: str = "",
    domains: Iterable[str] = (),
    tax_id: str = "",
    exclude: Any = None,
    limit: int = 5,
) -> list[Similar]:
    """The existing organizations `user` sees that the given values would duplicate, best
    first, scored as the review queue scores a pair. A constant number of queries."""
    organizations = Organization.objects.visible_to(user).alive().filter(merged_into__isnull=True)
    excluded = _excluded(exclude)
    if excluded is not None:
        organizations = organizations.exclude(pk=excluded)
    fts_table = _fts_table(organizations)
    fields = ("name", "domains", "tax_id")
    pool: dict[int, tuple[Any, ...]] = {}
    domain_list = sorted({value.lower() for value in _lenient(domains, clean_domain)})
    for domain in domain_list:
        rows = filter_text(organizations, domain, fts_table=fts_table)
        for row in rows.values_list("pk", *fields)[:SIMILAR_POOL]:
            pool[row[0]] = row[1:]
    compact_tax_id = _compact_tax_id(tax_id)
    if compact_tax_id:
        try:
            _kind, formatted = clean_tax_id(tax_id)
        except ValidationError:
            formatted = compact_tax_id
        term = fold(formatted)
        term = term[2:] if term[:2].isalpha() else term
        rows = filter_text(organizations, term, fts_table=fts_table)
        for row in rows.values_list("pk", *fields)[:SIMILAR_POOL]:
            pool[row[0]] = row[1:]
    key = organization_name_key(name)
    if key:
        pool.update(_name_pool(organizations, key, fields))
    names = {NEW: key}
    dismissed = dismissed_pairs("organization", [excluded]) if excluded is not None else set()
    scored = []
    for pk, (other_name, other_domains, other_tax_id) in pool.items():
        if excluded is not None and pair_key(excluded, pk) in dismissed:
            continue
        names[pk] = organization_name_key(other_name)
        theirs = {str(domain).lower() for domain in other_domains or []}
        candidate = _score_organization(
            NEW,
            pk,
            names,
            same_tax_id=bool(compact_tax_id)
            and _compact_tax_id(other_tax_id or "") == compact_tax_id,
            same_domain=bool(theirs & set(domain_list)),
        )
        if candidate.score >= THRESHOLD:
            scored.append(candidate)
    return _with_records(organizations, scored, limit)


def similar_to_person_input(user: Any, data: dict[str, Any]) -> list[Similar]:
    """Checks `data` as `person_create` would (ValidationError with the field errors, so
    they win over a duplicate notice; tags are left out, as checking them creates them),
    then the people it looks like."""
    from elo.contacts.rules import CleanContext
    from elo.contacts.services import clean_person

    checked = {name: value for name, value in data.items() if name != "tags"}
    clean = clean_person(CleanContext(user), checked)
    return similar_people(
        user,
        given_name=clean.fields.get("given_name", ""),
        family_name=clean.fields.get("family_name", ""),
        emails=clean.emails or (),
        phones=clean.phones or (),
    )


def similar_to_organization_input(user: Any, data: dict[str, Any]) -> list[Similar]:
    """As `similar_to_person_input`, for an organization."""
    from elo.contacts.rules import CleanContext
    from elo.contacts.services import clean_organization

    checked = {name: value for name, value in data.items() if name != "tags"}
    clean = clean_organization(CleanContext(user), checked)
    return similar_organizations(
        user,
        name=clean.fields.get("name", ""),
        domains=clean.fields.get("domains") or (),
        tax_id=clean.fields.get("tax_id", ""),
    )


def _strict(errors: dict[str, list[str]], name: str, value: str, cleaner: Any) -> str:
    if not value:
        return ""
    try:
        return str(cleaner(value))
    except ValidationError as error:
        errors[name] = error.messages
        return ""


def similar_people_query(
    user: Any, *, given_name: str = "", family_name: str = "", email: str = "", phone: str = ""
) -> list[Similar]:
    """`similar_people` for an API query: an invalid email or phone, or no value at all, is
    a ValidationError naming the field."""
    errors: dict[str, list[str]] = {}
    email = _strict(errors, "email", email.strip(), clean_email)
    phone = _strict(errors, "phone", phone.strip(), clean_phone)
    if not errors and not (given_name.strip() or family_name.strip() or email or phone):
        errors["given_name"] = [_("Give a name, an email or a phone number.")]
    if errors:
        raise ValidationError(errors)
    return similar_people(
        user,
        given_name=given_name,
        family_name=family_name,
        emails=[email] if email else [],
        phones=[phone] if phone else [],
    )


def similar_organizations_query(
    user: Any, *, name: str = "", domain: str = "", tax_id: str = ""
) -> list[Similar]:
    """`similar_organizations` for an API query, checked as `similar_people_query`."""
    errors: dict[str, list[str]] = {}
    domain = _strict(errors, "domain", domain.strip(), clean_domain)
    _strict(errors, "tax_id", tax_id.strip(), clean_tax_id)
    if not errors and not (name.strip() or domain or tax_id.strip()):
        errors["name"] = [_("Give a name, a domain or a tax id.")]
    if errors:
        raise ValidationError(errors)
    return similar_organizations(
        user, name=name, domains=[domain] if domain else [], tax_id=tax_id.strip()
    )
