"""Forms of the allocation pages. The award, region and institutions are looked up by the views through
`get_for_user` (404 outside the user's scope); the forms check the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jicai.volumes.exports import FORMATS


class AllocationForm(forms.Form):
    award = forms.IntegerField(label=_("中选药品"), widget=forms.Select)
    region = forms.CharField(label=_("区划"), widget=forms.Select)
    year_no = forms.IntegerField(label=_("协议年度"), min_value=1, max_value=100, initial=1)
    total = forms.IntegerField(
        label=_("总量（最小制剂单位）"),
        min_value=0,
        required=False,
        help_text=_("不填则为：基数 × 批次比例（按中选企业数）"),
    )
    keep_total = forms.BooleanField(label=_("沿用现有约定量合计作为总量"), required=False)

    def __init__(self, *args, awards=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].widget.choices = [("", "—")] + [
            (a.pk, f"{a.batch.name} · {a.product.generic_name} {a.product.spec}（{a.product.manufacturer.name}）")
            for a in awards
        ]
        self.fields["region"].widget.choices = [
            (r.code, f"{'　' * (r.path.count('/') - 1)}{r.name}（{r.code}）") for r in regions
        ]

    def clean(self):
        data = super().clean()
        if data.get("keep_total") and data.get("total") is not None:
            raise forms.ValidationError(_("“总量”与“沿用现有约定量合计”只能选一个"))
        return data


class ExportForm(AllocationForm):
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], initial="xlsx")
    current = forms.BooleanField(required=False)  # the volumes held now instead of the preview


class ReallocationForm(forms.Form):
    award = forms.IntegerField(label=_("中选药品"), widget=forms.Select)
    year_no = forms.IntegerField(label=_("协议年度"), min_value=1, max_value=100, initial=1)
    source = forms.CharField(label=_("调出机构编码"), max_length=32)
    target = forms.CharField(label=_("调入机构编码"), max_length=32)
    quantity = forms.IntegerField(label=_("调剂数量（最小制剂单位）"), min_value=1)
    reason = forms.CharField(label=_("调剂原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args, awards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].widget.choices = [("", "—")] + [
            (a.pk, f"{a.batch.name} · {a.product.generic_name} {a.product.spec}（{a.product.manufacturer.name}）")
            for a in awards
        ]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("调剂必须填写原因"))
        return reason

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            raise forms.ValidationError(_("调出和调入不能是同一家机构"))
        return data
