"""The site's settings with the benchmark's hello-world page added (bench/urls.py): the product has none."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
