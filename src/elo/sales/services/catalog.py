"""The catalogue: products and services, and their prices per price list (one currency each)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.sales.models import Price, PriceList, Product
from elo.sales.services.deals import clean_amount, clean_currency

PRODUCT_FIELDS = ["name", "sku", "unit", "description", "tax_rate", "is_active"]


def _clean_product(data: Mapping[str, Any], instance: Product | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name, limit, required in (("name", 200, True), ("sku", 64, True), ("unit", 30, False)):
        if name in data or instance is None:
            value = " ".join(str(data.get(name) or "").split())
            if required and not value:
                errors[name] = [_("This field is required.")]
            elif len(value) > limit:
                errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
            fields[name] = value or ("unit" if name == "unit" else value)
    if fields.get("sku"):
        clash = Product.objects.filter(sku__iexact=fields["sku"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["sku"] = [_("Another product has this SKU.")]
    if "description" in data:
        fields["description"] = str(data["description"] or "").strip()[:5000]
    if "tax_rate" in data:
        try:
            rate = Decimal(str(data["tax_rate"] if data["tax_rate"] not in (None, "") else 0))
            if not rate.is_finite() or not 0 <= rate <= 100:
                raise InvalidOperation
            fields["tax_rate"] = rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        except (InvalidOperation, ValueError):
            errors["tax_rate"] = [_("Enter a tax rate from 0 to 100.")]
    if "is_active" in data:
        fields["is_active"] = bool(data["is_active"])
    if errors:
        raise ValidationError(errors)
    return fields


def product_create(*, actor: Any, data: Mapping[str, Any]) -> Product:
    require(actor, "sales.configure")
    fields = _clean_product(data, None)
    with transaction.atomic():
        product = Product.objects.create(**fields)
        audit.record(
            action="sales.product.created",
            instance=product,
            changes=audit.diff({}, audit.snapshot(product, PRODUCT_FIELDS)),
        )
        events.emit("sales.product.created", {"id": product.pk, "sku": product.sku})
    return product


def product_update(
    *,
    actor: Any,
    product: Product,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Product:
    require(actor, "sales.configure")
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        check_version(expected_version, locked.version)
        before = audit.snapshot(locked, PRODUCT_FIELDS)
        for name, value in _clean_product(data, locked).items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked, PRODUCT_FIELDS))
        if changes:
            locked.version += 1
            locked.save()
            audit.record(action="sales.product.updated", instance=locked, changes=changes)
            events.emit("sales.product.updated", {"id": locked.pk, "changed": sorted(changes)})
    return locked


def _clean_prices(items: Any) -> list[tuple[int, Decimal]]:
    errors: list[str] = []
    prices: dict[int, Decimal] = {}
    wanted = []
    for number, item in enumerate(items or [], start=1):
        try:
            product = int(item.get("product"))
            amount = clean_amount(item.get("unit_price"))
        except (TypeError, ValueError, AttributeError):
            errors.append(_("Price %(n)d needs a product and a unit price.") % {"n": number})
            continue
        except ValidationError as error:
            errors.extend(f"{number}: {message}" for message in error.messages)
            continue
        wanted.append(product)
        prices[product] = amount
    known = set(Product.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    errors.extend(
        _("Product %(id)s does not exist.") % {"id": pk} for pk in wanted if pk not in known
    )
    if errors:
        raise ValidationError({"prices": errors})
    return sorted(prices.items())


def price_list_save(
    *,
    actor: Any,
    data: Mapping[str, Any],
    price_list: PriceList | None = None,
    expected_version: int | None = None,
) -> PriceList:
    """Creates or changes a price list; `prices` (product, unit_price) replaces its prices."""
    require(actor, "sales.configure")
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if "name" in data or price_list is None:
        name = " ".join(str(data.get("name") or "").split())
        clash = PriceList.objects.filter(name__iexact=name)
        if price_list is not None:
            clash = clash.exclude(pk=price_list.pk)
        if not name or len(name) > 100:
            errors["name"] = [_("Name the price list (at most 100 characters).")]
        elif clash.exists():
            errors["name"] = [_("Another price list has this name.")]
        fields["name"] = name
    if "currency" in data or price_list is None:
        try:
            fields["currency"] = clean_currency(data.get("currency"))
        except ValidationError as error:
            errors["currency"] = error.messages
    prices = None
    if "prices" in data:
        try:
            prices = _clean_prices(data["prices"])
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if price_list is None:
            locked = PriceList.objects.create(**fields)
            before: dict[str, Any] = {}
            action = "created"
        else:
            locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
            check_version(expected_version, locked.version)
            before = _snapshot(locked)
            for name, value in fields.items():
                setattr(locked, name, value)
            action = "updated"
        if data.get("is_default"):
            PriceList.objects.exclude(pk=locked.pk).update(is_default=False)
            locked.is_default = True
        if prices is not None:
            Price.objects.filter(price_list=locked).delete()
            Price.objects.bulk_create(
                Price(price_list=locked, product_id=pk, unit_price=amount) for pk, amount in prices
            )
        changes = audit.diff(before, _snapshot(locked))
        if changes or action == "created":
            if action == "updated":
                locked.version += 1
            locked.save()
            audit.record(action=f"sales.price_list.{action}", instance=locked, changes=changes)
            events.emit(f"sales.price_list.{action}", {"id": locked.pk})
    return locked


def _snapshot(price_list: PriceList) -> dict[str, Any]:
    return {
        "name": price_list.name,
        "currency": price_list.currency,
        "is_default": price_list.is_default,
        "prices": {
            str(pk): str(amount)
            for pk, amount in Price.objects.filter(price_list=price_list)
            .order_by("product_id")
            .values_list("product_id", "unit_price")
        },
    }
