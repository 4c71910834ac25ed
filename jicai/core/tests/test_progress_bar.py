"""The long commands' progress bar: drawn on standard error when it is a terminal, never on standard output, and
nothing at all otherwise (a log or a cron mail gets no control characters)."""

from jicai.core.progress_bar import progress_bar


def test_a_terminal_sees_the_bar_on_standard_error(capsys, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then takes standard error for a terminal
    with progress_bar("备份", total=10) as update:
        update(4)
        update(10, description="恢复")
    out, err = capsys.readouterr()
    assert out == "" and "恢复" in err and "10/10" in err


def test_without_a_terminal_nothing_is_drawn(capsys, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    with progress_bar("备份", total=10) as update:
        update(10)
    assert capsys.readouterr() == ("", "")
