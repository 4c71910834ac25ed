"""The `jicai` console script: manage.py by another name."""

import os
import sys


def main() -> int | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    return 0
