"""Warm a web process before it serves, so that no visitor pays for what every process does once.

A process that has only imported its WSGI application still has to import every view module (and the
libraries they import: plotly, numpy, scipy, and scikit-learn, which the comment themes import only
when a page shows them), build the URL resolver and compile each template the first time a page
needs it: 5 to 9 seconds on a worker's first request to the NPS dashboard. ``warm`` does all of that
at start. Under ``gunicorn --preload`` (``advocacy serve``) it runs once, in the
master, and every worker is forked warm; under granian each worker warms itself before it listens.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from pathlib import Path

from django.apps import apps
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm() -> dict[str, float]:
    """Import every view, build the URL resolver and compile every template; leave no database
    connection open (a forked worker must not share its parent's). Returns what it did, for the log."""
    started = time.perf_counter()
    resolver = get_resolver()
    # Building the reverse lookups imports every URLconf, and so every view module.
    routes = len(resolver.reverse_dict) + sum(len(ns.reverse_dict) for _, ns in resolver.namespace_dict.values())
    modules = import_modules()
    templates = compile_templates()
    connections.close_all()
    seconds = time.perf_counter() - started
    logger.info("warmed: %s routes, %s modules, %s templates compiled in %.1f s", routes, modules, templates, seconds)
    return {"routes": routes, "modules": modules, "templates": templates, "seconds": seconds}


# Never imported at warm-up: migrations and commands are not served, and __main__ would run the CLI.
NOT_WARMED = (".migrations", ".management", ".__main__")


def import_modules() -> int:
    """Import every module of the product, so that what a page imports only when it needs it (the
    comment themes' scikit-learn, for one) is imported before the first visitor, not by them."""
    import advocacy

    imported = 0
    for module in pkgutil.walk_packages(advocacy.__path__, prefix="advocacy."):
        if any(f"{part}." in f"{module.name}." for part in NOT_WARMED):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra that is not installed: its pages say so themselves
            logger.debug("module %s not imported at warm-up", module.name, exc_info=True)
            continue
        imported += 1
    return imported


def template_names() -> list[str]:
    """Every template the apps ship, by the name a view asks for it."""
    names: set[str] = set()
    for app in apps.get_app_configs():
        folder = Path(app.path) / "templates"
        if folder.is_dir():
            names.update(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    return sorted(names)


def compile_templates() -> int:
    """Load each template through the configured loaders; the cached loader keeps it compiled."""
    engine = engines["django"]
    compiled = 0
    for name in template_names():
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):
            # A template of a library's app that needs something this project leaves out; a page that
            # uses it reports the error itself.
            logger.debug("template %s not compiled at warm-up", name, exc_info=True)
            continue
        compiled += 1
    return compiled
