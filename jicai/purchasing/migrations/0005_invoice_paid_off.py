"""Each invoice's paid-off day (jicai.purchasing.paid_off), computed for the invoices already there: one pass over
the payments (a province's 7.25 million on SQLite: about 30 s). The index on the institution alone becomes one on
the institution and that day."""

import django.db.models.deletion
from django.db import migrations, models

# The paid-off day of every existing invoice, as jicai.purchasing.paid_off computes it (written out here, so that
# this migration stays what it was whatever that module becomes).
SETTLE = """
    UPDATE purchasing_invoice SET paid_off_on = s.day FROM (
        SELECT r.invoice_id, MIN(r.paid_on) AS day FROM (
            SELECT p.invoice_id, p.paid_on,
                   SUM(p.amount) OVER (PARTITION BY p.invoice_id ORDER BY p.paid_on) AS total
            FROM purchasing_payment p
        ) r JOIN purchasing_invoice i ON i.id = r.invoice_id
        WHERE r.total >= i.amount - 0.005
        GROUP BY r.invoice_id
    ) s WHERE purchasing_invoice.id = s.invoice_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("purchasing", "0004_covering_progress_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="paid_off_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="全额回款日"),
        ),
        migrations.RunSQL(SETTLE, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="invoice",
            name="institution",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="orgs.institution",
                verbose_name="医疗机构",
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["institution", "paid_off_on"], name="invoice_unpaid"),
        ),
    ]
