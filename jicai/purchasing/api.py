"""API reads of orders, deliveries, invoices, payments and usage, and the payment status of an institution's
invoices (the `jicai payments` answer)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from jicai.core.api import ApiError, ApiView, ScopedReadViewSet, parse_date_param, query_code, query_date
from jicai.orgs.models import Institution
from jicai.policy.rules.days import MissingCalendarYear
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment, Usage
from jicai.purchasing.payments import invoice_rows


class OrderSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    distributor = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Order
        fields = ["order_id", "institution", "product", "distributor", "quantity", "unit_price", "ordered_on"]


class DeliverySerializer(serializers.ModelSerializer):
    order_id = serializers.CharField(source="order.order_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Delivery
        fields = ["delivery_id", "order_id", "institution", "product", "quantity", "delivered_on", "accepted_on"]


class InvoiceSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Invoice
        fields = ["invoice_no", "supplier", "institution", "amount", "issued_on", "confirmed_on"]


class InvoiceLineSerializer(serializers.ModelSerializer):
    invoice_no = serializers.CharField(source="invoice.invoice_no", read_only=True)
    delivery_id = serializers.CharField(source="delivery.delivery_id", read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["id", "invoice_no", "delivery_id", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    invoice_no = serializers.CharField(source="invoice.invoice_no", read_only=True)

    class Meta:
        model = Payment
        fields = ["payment_id", "invoice_no", "amount", "paid_on", "payer"]


class UsageSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = Usage
        fields = ["id", "institution", "product", "month", "quantity"]


class OrderViewSet(ScopedReadViewSet):
    """订单。"""

    queryset = Order.objects.select_related("institution", "product", "distributor").order_by("ordered_on", "order_id")
    serializer_class = OrderSerializer
    lookup_field = "order_id"
    code_filters = {
        "institution": "institution__code",
        "product": "product__code",
        "distributor": "distributor__code",
    }
    region_filter = "institution__region"
    date_field = "ordered_on"


class DeliveryViewSet(ScopedReadViewSet):
    """配送与验收（退货为负数），按验收日期筛选。"""

    queryset = Delivery.objects.select_related("order", "institution", "product").order_by("accepted_on", "delivery_id")
    serializer_class = DeliverySerializer
    lookup_field = "delivery_id"
    code_filters = {"institution": "institution__code", "product": "product__code", "order": "order__order_id"}
    region_filter = "institution__region"
    date_field = "accepted_on"


class InvoiceViewSet(ScopedReadViewSet):
    """发票，按开票日期筛选。"""

    queryset = Invoice.objects.select_related("supplier", "institution").order_by("issued_on", "invoice_no")
    serializer_class = InvoiceSerializer
    lookup_field = "invoice_no"
    code_filters = {"institution": "institution__code", "supplier": "supplier__code"}
    region_filter = "institution__region"
    date_field = "issued_on"


class InvoiceLineViewSet(ScopedReadViewSet):
    """发票明细：金额对应的配送单。"""

    queryset = InvoiceLine.objects.select_related("invoice", "delivery").order_by("invoice__invoice_no", "id")
    serializer_class = InvoiceLineSerializer
    code_filters = {"invoice": "invoice__invoice_no", "delivery": "delivery__delivery_id"}
    region_filter = "invoice__institution__region"


class PaymentViewSet(ScopedReadViewSet):
    """回款记录，按回款日期筛选。"""

    queryset = Payment.objects.select_related("invoice").order_by("paid_on", "payment_id")
    serializer_class = PaymentSerializer
    lookup_field = "payment_id"
    code_filters = {
        "invoice": "invoice__invoice_no",
        "institution": "invoice__institution__code",
        "payer": "payer",
    }
    region_filter = "invoice__institution__region"
    date_field = "paid_on"


class UsageViewSet(ScopedReadViewSet):
    """使用量（按月），按月份筛选（from/to 取该月第一天）。"""

    queryset = Usage.objects.select_related("institution", "product").order_by("month", "institution__code", "id")
    serializer_class = UsageSerializer
    code_filters = {"institution": "institution__code", "product": "product__code"}
    region_filter = "institution__region"
    date_field = "month"


def payment_status_document(institution, rows, as_of) -> dict:
    """The `jicai payments --format json` document: the same field names (SPEC §6)."""
    return {
        "institution": institution.code,
        "name": institution.name,
        "as_of": as_of.isoformat(),
        "invoices": [
            {
                "invoice_no": r.invoice_no,
                "supplier": r.supplier_name,
                "amount": str(r.amount),
                "accepted_on": r.accepted_on and r.accepted_on.isoformat(),
                "confirmed_on": r.confirmed_on and r.confirmed_on.isoformat(),
                "due_on": r.due and r.due.due_on.isoformat(),
                "paid": str(r.payment.paid),
                "status": r.payment.status,
                "late_amount": str(r.payment.late_amount),
                "days_late": r.payment.days_late,
                "reasoning": r.due and r.due.reasoning,
            }
            for r in rows
        ],
    }


PAYMENT_STATUS_PARAMS = _("必填：institution（机构编码）与 as_of（截至日期 YYYY-MM-DD）")


class PaymentStatusView(ApiView):
    """回款情况：机构每张发票的截止日、已付、状态与逾期金额（与 `jicai payments` 相同的字段）。"""

    @extend_schema(
        parameters=[
            query_code("institution", "机构编码", required=True),
            query_date("as_of", "截至日期 YYYY-MM-DD", required=True),
        ],
        responses=inline_serializer(
            "PaymentStatus",
            {
                "institution": serializers.CharField(),
                "name": serializers.CharField(),
                "as_of": serializers.DateField(),
                "invoices": inline_serializer(
                    "InvoicePaymentStatus",
                    {
                        "invoice_no": serializers.CharField(),
                        "supplier": serializers.CharField(),
                        "amount": serializers.DecimalField(max_digits=16, decimal_places=2),
                        "accepted_on": serializers.DateField(allow_null=True),
                        "confirmed_on": serializers.DateField(allow_null=True),
                        "due_on": serializers.DateField(allow_null=True),
                        "paid": serializers.DecimalField(max_digits=16, decimal_places=2),
                        "status": serializers.CharField(),
                        "late_amount": serializers.DecimalField(max_digits=16, decimal_places=2),
                        "days_late": serializers.IntegerField(),
                        "reasoning": serializers.CharField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        user = request.user
        as_of = parse_date_param(request, "as_of")
        code = request.query_params.get("institution")
        if as_of is None or not code:
            raise ApiError("invalid", errors={"as_of": [str(PAYMENT_STATUS_PARAMS)]})
        institution = Institution.objects.visible_to(user).filter(code=code).first()
        if institution is None:
            raise ApiError("not_found", status_code=404)
        try:
            rows = invoice_rows(Invoice.objects.visible_to(user).filter(institution=institution), as_of=as_of)
        except MissingCalendarYear as exc:
            raise ApiError("rejected", str(exc)) from None
        return Response(payment_status_document(institution, rows, as_of))
