"""``{% if request|may_open:"app:page" %}``: show a link only to the roles its view serves.

The menu does this for its own links (core/context_processors.py); pages use this filter for the
links inside them, so no one is offered a page that answers 403. Loaded as a template builtin.
"""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from advocacy.core.permissions import roles_serving, viewer_role

register = template.Library()


@register.filter
def may_open(request: HttpRequest, url_name: str) -> bool:
    return viewer_role(request) in roles_serving(url_name)
