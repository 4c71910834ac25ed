"""Production settings for the latency benchmark (bench/latency.py), except for static files: the pages are
measured, not their assets, so the manifest storage (which needs `collectstatic` and its compression) is left out."""

from config.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
