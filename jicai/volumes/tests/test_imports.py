import io

from jicai.core.imports import run_import
from jicai.core.models import AuditEvent
from jicai.core.testing import make_user
from jicai.core.tests.test_imports import load_samples
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline

HEADER = "institution_code,batch_code,product_code,year_no,quantity\n"


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_baselines(db):
    load_samples(through="baselines")
    assert Baseline.objects.get(institution__code="H500102001", product__code="XDEMO0006", year=2018).quantity == 300000


def test_agreed_volumes_pick_the_award_of_the_institutions_province(db):
    load_samples(through="agreed_volumes")
    fuling = AgreedVolume.objects.get(institution__code="H500102001", award__product__code="XDEMO0001", year_no=1)
    weihai = AgreedVolume.objects.get(institution__code="H371002001", award__product__code="XDEMO0001", year_no=1)
    assert (fuling.award.province.code, weihai.award.province.code) == ("500000", "370000")


def test_every_created_or_changed_volume_has_its_history(db):
    load_samples(through="baselines")
    user = make_user()
    run_import("agreed_volumes", _csv(HEADER + "H500102001,GY-YD2019-2,XDEMO0001,1,84000\n"), user=user)
    volume = AgreedVolume.objects.get()
    created = AgreedVolumeChange.objects.get()
    assert (created.volume, created.kind, created.old_quantity, created.new_quantity, created.by) == (
        volume,
        "import",
        None,
        84000,
        user,
    )
    result = run_import(
        "agreed_volumes",
        _csv(HEADER + "H500102001,GY-YD2019-2,XDEMO0001,1,90000\nH500102002,GY-YD2019-2,XDEMO0001,1,31500\n"),
        user=user,
    )
    assert (result.created, result.updated) == (1, 1)
    history = {(c.volume.institution.code, c.old_quantity, c.new_quantity) for c in AgreedVolumeChange.objects.all()}
    assert history == {("H500102001", None, 84000), ("H500102001", 84000, 90000), ("H500102002", None, 31500)}
    event = AuditEvent.objects.get()
    assert (event.key, event.changes) == ("H500102001/GY-YD2019-2/XDEMO0001/500000/1", {"quantity": [84000, 90000]})
    run_import("agreed_volumes", _csv(HEADER + "H500102001,GY-YD2019-2,XDEMO0001,1,90000\n"), user=user)
    assert AgreedVolumeChange.objects.count() == 3  # nothing changed, nothing recorded
