"""API schemas of quotes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from elo.contacts.schemas import UserRef, user_ref


class QuoteLineIn(Schema):
    product: int | None = None
    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = Field(None, description="from the price list when left out")
    discount: Decimal = Decimal(0)
    tax_rate: Decimal | None = Field(None, description="the product's rate when left out")


class QuoteLineOut(Schema):
    product: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> int | None:
        return obj.product_id


class QuoteIn(Schema):
    title: str
    deal: int | None = None
    organization: int | None = None
    person: int | None = None
    price_list: int | None = None
    currency: str = ""
    valid_until: datetime.date | None = None
    owner: int | None = None
    lines: list[QuoteLineIn]


class QuotePatch(Schema):
    title: str | None = None
    deal: int | None = None
    organization: int | None = None
    person: int | None = None
    price_list: int | None = None
    currency: str | None = None
    valid_until: datetime.date | None = None
    owner: int | None = None
    lines: list[QuoteLineIn] | None = None


class QuoteStatusIn(Schema):
    status: str = Field(..., description="sent, accepted, declined or expired")


class QuoteOut(Schema):
    id: int
    title: str
    deal: int | None
    organization: int | None
    person: int | None
    price_list: int | None
    currency: str
    status: str
    valid_until: datetime.date | None
    revision: int
    lines: list[QuoteLineOut]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    owner: UserRef
    sent_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    public_link: str | None = Field(None, description="where the customer accepts or declines")
    version: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_deal(obj: Any) -> int | None:
        return obj.deal_id

    @staticmethod
    def resolve_organization(obj: Any) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_person(obj: Any) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_price_list(obj: Any) -> int | None:
        return obj.price_list_id

    @staticmethod
    def resolve_public_link(obj: Any) -> str | None:
        """The customer's link (a path on this server) while the quote awaits an answer."""
        from django.urls import reverse

        from elo.sales.services.quotes import public_token

        if obj.status != "sent":
            return None
        return reverse("sales_public:quote", args=[public_token(obj)])

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_owner(obj: Any) -> dict[str, Any] | None:
        return user_ref(obj.owner)


class QuoteList(Schema):
    next: str | None
    items: list[QuoteOut]


class QuoteSendIn(Schema):
    to: str = Field(..., description="the customer's email address")
