"""``advocacy demo``: migrate, fill an empty database with the demo company, print sign-ins, serve.

Run twice, it generates once: the second run finds the customers and goes straight to serving.
``--reset`` wipes customers, accounts and products (staff stay) and generates afresh.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from advocacy.customers.models import Customer, CustomerStatus
from advocacy.demo import generator
from advocacy.demo.reference import DEMO_PASSWORD, STAFF

SIGN_IN_PATH = "/sign-in/"
PORTAL_SIGN_IN_PATH = "/portal/sign-in/"


class Command(BaseCommand):
    help = "Create the demo company (once) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=generator.DEFAULT_CUSTOMERS)
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        parser.add_argument("--reset", action="store_true", help="Wipe the customer data first.")
        parser.add_argument("--no-serve", action="store_true", help="Generate and stop.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve the pages only (by default a worker and the scheduler run beside the server).",
        )
        parser.add_argument("--bind", default=os.environ.get("ADVOCACY_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--manifest",
            type=Path,
            default=None,
            help="Where to write the planted truths (default var/demo-manifest.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1")
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        console.width = max(console.width, 150)  # the sign-in table needs room for full URLs and emails
        call_command("migrate", interactive=False, verbosity=0)
        manifest_path: Path = options["manifest"] or settings.VAR_DIR / "demo-manifest.json"
        if options["reset"]:
            generator.wipe_company()
        if generator.demo_exists():
            console.print("The database already holds customers; keeping them (use --reset to start over).")
        else:
            generate(console, options["customers"], options["seed"], manifest_path)
        print_sign_ins(console, options["bind"], manifest_path)
        if not options["no_serve"]:
            serve(console, options["bind"], with_background=not options["no_worker"])


def serve(console: Console, bind: str, *, with_background: bool) -> None:
    """The web server in the foreground and, for the demo, the worker and the scheduler beside it, so
    that imports run and mail goes out; one Ctrl-C stops all three. (Production runs them as three
    services: docs/deployment.md.)"""
    # Links in mail (a portal sign-in, a survey) point at the server the demo runs, not at the default
    # address, unless SITE_URL says otherwise; the server, the worker and the scheduler all read it.
    os.environ.setdefault("SITE_URL", site_url(bind))
    helpers = [background("worker"), background("scheduler")] if with_background else []
    if helpers:
        console.print("Running a worker and the scheduler beside the server; Ctrl-C stops all three.")
    try:
        call_command("serve", bind=bind)
    finally:
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            try:
                helper.wait(timeout=15)
            except subprocess.TimeoutExpired:
                helper.kill()


def background(command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "advocacy", command], env=os.environ.copy())  # noqa: S603


def generate(console: Console, customers: int, seed: int, manifest_path: Path) -> None:
    started = time.monotonic()
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done)

        summary = generator.generate_company(
            customers=customers, seed=seed, manifest_path=manifest_path, progress=report
        )
    counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in summary.counts.items())
    console.print(f"Generated the demo company in {time.monotonic() - started:.1f} s: {counts}.")


def print_sign_ins(console: Console, bind: str, manifest_path: Path) -> None:
    site = site_url(bind)
    table = Table(title="Demo sign-ins (password for every staff user: " + DEMO_PASSWORD + ")")
    for column in ("role", "username", "password", "sign in at"):
        table.add_column(column)
    for username, role, first, last, _ in STAFF:
        table.add_row(
            f"{role.replace('_', ' ')} ({first} {last})",
            username,
            DEMO_PASSWORD,
            site + SIGN_IN_PATH,
        )
    email = portal_email(manifest_path)
    if email:
        table.add_row("customer (portal)", email, "— emailed link —", site + PORTAL_SIGN_IN_PATH)
    console.print(table)
    if email:
        console.print(
            f"Customer portal: sign in at {site}{PORTAL_SIGN_IN_PATH} as {email}; in development "
            "the sign-in link is printed to this console instead of being mailed."
        )
    if manifest_path.exists():
        console.print(f"Planted truths (latent satisfaction, natural advocates, churn): {manifest_path}")


def site_url(bind: str) -> str:
    """The address to open in a browser: a server bound to all interfaces is reached on localhost."""
    host, _, port = bind.rpartition(":")
    if host in {"0.0.0.0", "", "[::]"}:  # noqa: S104 - reading the bind address, not binding
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def portal_email(manifest_path: Path) -> str | None:
    """A customer to try the portal with: the manifest's pick, or else any active customer."""
    if manifest_path.exists():
        email = generator.read_manifest(manifest_path).get("portal_example_email")
        if email and Customer.objects.filter(email=email).exists():
            return str(email)
    return Customer.objects.filter(status=CustomerStatus.ACTIVE).order_by("pk").values_list("email", flat=True).first()
