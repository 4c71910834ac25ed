"""The demo's mail backend: the console one, writing to standard error.

Standard output of a command belongs to its result (`--format json` must stay one JSON document), so mail sent
while a command runs — reminders from `jicai tick` — goes to standard error instead.
"""

import sys

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class StderrBackend(ConsoleBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
