"""API schemas of products and price lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema


class ProductIn(Schema):
    name: str
    sku: str
    unit: str = "unit"
    description: str = ""
    tax_rate: Decimal = Decimal(0)
    is_active: bool = True


class ProductPatch(Schema):
    name: str | None = None
    sku: str | None = None
    unit: str | None = None
    description: str | None = None
    tax_rate: Decimal | None = None
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    unit: str
    description: str
    tax_rate: Decimal
    is_active: bool
    version: int


class PriceIn(Schema):
    product: int
    unit_price: Decimal


class PriceOut(Schema):
    product: int
    unit_price: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> int:
        return int(obj.product_id)


class PriceListIn(Schema):
    name: str
    currency: str
    is_default: bool = False
    prices: list[PriceIn] = []


class PriceListPatch(Schema):
    name: str | None = None
    currency: str | None = None
    is_default: bool | None = None
    prices: list[PriceIn] | None = None


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    is_default: bool
    version: int
    prices: list[PriceOut]

    @staticmethod
    def resolve_prices(obj: Any) -> list[Any]:
        return list(obj.prices.all())
