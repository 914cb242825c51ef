from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class OrderLineOut(Schema):
    id: int
    product: int | None
    description: str
    quantity: Decimal
    invoiced_quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> int | None:
        return obj.product_id


class OrderOut(Schema):
    id: int
    title: str
    quote: int | None
    deal: int | None
    organization: int | None
    person: int | None
    currency: str
    status: str
    lines: list[OrderLineOut]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    version: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_quote(obj: Any) -> int | None:
        return obj.quote_id

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
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class OrderList(Schema):
    next: str | None
    items: list[OrderOut]


class OrderIn(Schema):
    quote: int = Field(..., description="an accepted quote")


class InvoiceLineOut(Schema):
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


class PaymentOut(Schema):
    id: int
    amount: Decimal
    method: str
    paid_on: datetime.date
    reference: str


class PaymentListItem(PaymentOut):
    invoice: int
    invoice_reference: str
    currency: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_invoice(obj: Any) -> int:
        return int(obj.invoice_id)

    @staticmethod
    def resolve_invoice_reference(obj: Any) -> str:
        return str(obj.invoice.reference)

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)


class PaymentList(Schema):
    next: str | None
    items: list[PaymentListItem]


class CreditNoteOut(Schema):
    id: int
    reference: str
    amount: Decimal
    reason: str
    issue_date: datetime.date

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        return f"{obj.series.code}/{obj.number}"


class InvoiceOut(Schema):
    id: int
    reference: str = Field(description="series/number once issued; empty for a draft")
    order: int | None
    organization: int | None
    person: int | None
    status: str
    overdue: bool
    currency: str
    issue_date: datetime.date | None
    due_date: datetime.date | None
    lines: list[InvoiceLineOut]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    balance: Decimal
    payments: list[PaymentOut]
    credit_notes: list[CreditNoteOut]
    sent_at: datetime.datetime | None = Field(description="when it was last emailed")
    sent_to: str = Field(description="the address it was last emailed to")
    version: int

    @staticmethod
    def resolve_order(obj: Any) -> int | None:
        return obj.order_id

    @staticmethod
    def resolve_organization(obj: Any) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_person(obj: Any) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue())

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())

    @staticmethod
    def resolve_credit_notes(obj: Any) -> list[Any]:
        return list(obj.credit_notes.all())


class InvoiceList(Schema):
    next: str | None
    items: list[InvoiceOut]


class InvoiceIn(Schema):
    order: int
    quantities: dict[int, Decimal] | None = Field(
        None, description="order line id -> quantity; everything left when omitted"
    )
    due_in_days: int = 30
    series: str = Field("INV", max_length=20, description="the numbering series' code")


class IssueIn(Schema):
    issue_date: datetime.date | None = None


class PaymentIn(Schema):
    amount: Decimal
    method: str = "bank_transfer"
    paid_on: datetime.date | None = None
    reference: str = ""


class CreditNoteIn(Schema):
    amount: Decimal
    reason: str


class InvoiceSendIn(Schema):
    to: str = Field(..., description="the recipient's email address")


class AgingRow(Schema):
    currency: str
    current: Decimal
    days_1_30: Decimal = Field(alias="1-30")
    days_31_60: Decimal = Field(alias="31-60")
    days_61_90: Decimal = Field(alias="61-90")
    days_90_plus: Decimal = Field(alias="90+")
    total: Decimal
