from django.db import migrations

PROFILES = [
    # Fuling / Chongqing: 10 working days after invoice confirmation or 30 days after acceptance, the earlier.
    dict(
        code="cq",
        name="重庆",
        payment_rule="cq",
        payment_working_days=10,
        payment_days=30,
        penalties_enabled=True,
    ),
    # Weihai / Shandong: by the end of the 2nd month after acceptance; the fund prepays 30 %.
    dict(
        code="sd",
        name="山东",
        payment_rule="sd",
        payment_months_after=2,
        prepayment_enabled=True,
        ratio_rule_exemption=True,
    ),
    # National rules: 30 days after acceptance, no local penalties.
    dict(code="national", name="全国", payment_rule="national", payment_days=30),
]


def ship(apps, schema_editor):
    from jicai.policy.calendar import load_years, package_years

    PolicyProfile = apps.get_model("policy", "PolicyProfile")
    for fields in PROFILES:
        PolicyProfile.objects.update_or_create(code=fields["code"], defaults=fields)
    load_years(apps.get_model("policy", "HolidayCalendar"), package_years())


def unship(apps, schema_editor):
    apps.get_model("policy", "PolicyProfile").objects.filter(code__in=[p["code"] for p in PROFILES]).delete()
    apps.get_model("policy", "HolidayCalendar").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
