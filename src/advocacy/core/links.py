"""Absolute links for mail, calendar files and exports: the one place that joins SITE_URL to a path."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(url_name: str, **kwargs: Any) -> str:
    """The public address of a named page, e.g. ``absolute_url("portal:home")``."""
    return settings.SITE_URL + reverse(url_name, kwargs=kwargs or None)
