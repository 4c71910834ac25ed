"""The progress bar of every long command (import, generate, backup, restore, a region's monthly report).

Drawn on standard error and only when it is a terminal, so that standard output keeps only the command's answer
(a JSON document, a CSV) and a log or a cron mail gets no control characters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

# update(done, total=None, description=None): None leaves the total (unknown at first) or the description as it is.
Update = Callable[..., None]


def drawn() -> bool:
    """Whether a bar is drawn: a command whose total costs work (counting every table) finds it only then."""
    return Console(stderr=True).is_terminal


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Update]:
    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total: int | None = None, description: str | None = None) -> None:
            bar.update(task, completed=done, total=total, description=description)

        yield update
