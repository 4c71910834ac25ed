from django.core.mail import send_mail


def test_demo_mail_goes_to_stderr_so_json_output_stays_clean(settings, capsys):
    settings.EMAIL_BACKEND = "jicai.core.mail.StderrBackend"
    send_mail("请填报供应情况", "正文", "jicai@localhost", ["clerk@example.com"])
    out, err = capsys.readouterr()
    assert out == ""
    assert "clerk@example.com" in err
