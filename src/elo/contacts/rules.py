"""Validation shared by people and organizations, with look-ups cached for a whole batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from elo.contacts.choices import LifecycleStage
from elo.contacts.models import Organization, Person
from elo.core import custom_fields
from elo.core.models import CustomField, Tag
from elo.identity.models import User

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class CleanContext:
    """What validating one record or a batch of thousands needs to look up, fetched once."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._fields: dict[str, list[CustomField]] = {}
        self._users: dict[int, User | None] = {}
        self._visible_orgs: dict[int, bool] = {}
        self._tags: dict[str, Tag] = {}
        self._person_external: dict[str, int] | None = None
        self._org_external: dict[str, int] | None = None

    def fields(self, entity: str) -> list[CustomField]:
        if entity not in self._fields:
            self._fields[entity] = custom_fields.definitions(entity)
        return self._fields[entity]

    def user(self, pk: int) -> User | None:
        if pk not in self._users:
            self._users[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self._users[pk]

    def team_of(self, user_pk: int) -> int | None:
        user = self.user(user_pk)
        return user.team_id if user else None

    def preload_organizations(self, pks: Iterable[int]) -> None:
        wanted = {int(pk) for pk in pks if int(pk) not in self._visible_orgs}
        if not wanted:
            return
        found = set(
            Organization.objects.visible_to(self.actor)
            .alive()
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        for pk in wanted:
            self._visible_orgs[pk] = pk in found

    def organization_visible(self, pk: Any) -> bool:
        try:
            key = int(pk)
        except (TypeError, ValueError):
            return False
        self.preload_organizations([key])
        return self._visible_orgs[key]

    def tags(self, names: list[str], errors: dict[str, list[str]]) -> list[Tag]:
        from elo.core.services import tag_get_or_create

        result: list[Tag] = []
        for name in names:
            key = name.strip().casefold()
            if key not in self._tags:
                try:
                    self._tags[key] = tag_get_or_create(actor=self.actor, name=name)
                except ValidationError as error:
                    errors.setdefault("tags", []).extend(error.messages)
                    continue
            if self._tags[key] not in result:
                result.append(self._tags[key])
        return result

    def preload_external_ids(self, person_ids: Iterable[str], org_ids: Iterable[str]) -> None:
        self._person_external = dict(
            Person.objects.filter(external_id__in=[i for i in person_ids if i]).values_list(
                "external_id", "pk"
            )
        )
        self._org_external = dict(
            Organization.objects.filter(external_id__in=[i for i in org_ids if i]).values_list(
                "external_id", "pk"
            )
        )

    def person_external_id_taken(self, external_id: str, instance: Person | None) -> bool:
        if self._person_external is not None:
            known = self._person_external.get(external_id)
            return known is not None and (instance is None or known != instance.pk)
        clash = Person.objects.filter(external_id=external_id)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        return clash.exists()

    def organization_external_id_taken(
        self, external_id: str, instance: Organization | None
    ) -> bool:
        if self._org_external is not None:
            known = self._org_external.get(external_id)
            return known is not None and (instance is None or known != instance.pk)
        clash = Organization.objects.filter(external_id=external_id)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        return clash.exists()


def clean_text_fields(
    data: Mapping[str, Any], limits: Mapping[str, int], errors: dict[str, list[str]]
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, limit in limits.items():
        if name not in data:
            continue
        value = " ".join(str(data[name] or "").split())
        if len(value) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
            continue
        fields[name] = value
    return fields


def clean_common(
    ctx: CleanContext,
    entity: str,
    data: Mapping[str, Any],
    *,
    instance: Person | Organization | None,
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    """Owner, team, custom fields, and for people country, language and lifecycle stage."""
    fields: dict[str, Any] = {}
    if "country" in data:
        country = str(data.get("country") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            errors["country"] = [_("Use the two-letter country code (BR, PT, US).")]
        fields["country"] = country
    if "preferred_language" in data:
        language = str(data.get("preferred_language") or "").strip().lower()
        if language and language not in LANGUAGE_CODES:
            errors["preferred_language"] = [_("Pick a supported language.")]
        fields["preferred_language"] = language
    if "lifecycle_stage" in data:
        stage = data.get("lifecycle_stage") or LifecycleStage.LEAD
        if stage not in LifecycleStage.values:
            errors["lifecycle_stage"] = [_("Pick a lifecycle stage from the list.")]
        fields["lifecycle_stage"] = stage
    if data.get("owner") not in (None, ""):
        owner_pk = getattr(data["owner"], "pk", data["owner"])
        try:
            owner = ctx.user(int(owner_pk))
        except (TypeError, ValueError):
            owner = None
        if owner is None:
            errors["owner"] = [_("Pick an active user as owner.")]
        else:
            fields["owner_id"] = owner.pk
    if "team" in data:
        team = data.get("team")
        team_pk = getattr(team, "pk", team)
        if team_pk in (None, ""):
            fields["team_id"] = None
        else:
            from elo.identity.models import Team

            try:
                valid = Team.objects.filter(pk=int(team_pk)).exists()
            except (TypeError, ValueError):
                valid = False
            if valid:
                fields["team_id"] = int(team_pk)
            else:
                errors["team"] = [_("Pick an existing team.")]
    if "custom" in data:
        try:
            fields["custom"] = custom_fields.clean_values(
                entity,
                data.get("custom") or {},
                current=instance.custom if instance else {},
                fields=ctx.fields(entity),
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors[key] = messages
    elif instance is None:
        try:
            fields["custom"] = custom_fields.clean_values(entity, {}, fields=ctx.fields(entity))
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors[key] = messages
    return fields
