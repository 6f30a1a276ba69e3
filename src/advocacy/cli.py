"""The ``advocacy`` command: Django's management commands plus demo, serve, worker and import.

``advocacy migrate``, ``advocacy shell -c …`` and every other Django command work as they do with
manage.py; Advocacy's own commands live in the apps' management/commands folders.
"""

from __future__ import annotations

import os
import sys

DEMO_COMPANY = "Beacon"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["demo"]:
        # The demo company is Beacon: its mails, surveys and portal say so (a real install sets
        # COMPANY_NAME; the setting's default is the product's name).
        os.environ.setdefault("COMPANY_NAME", DEMO_COMPANY)
    execute_from_command_line(["advocacy", *args])


if __name__ == "__main__":
    main()
