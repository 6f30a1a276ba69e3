"""``make screenshots``: the demo's main pages, as each role sees them, into docs/screenshots/.

Builds a small demo company in its own folder (var/screenshots), serves it, signs in as each staff
role and as a customer in Debian's chromium (Playwright, no browser download), and saves every page
of that role's menu at desktop width, plus the case workspace at phone width (390 px). The pictures
are regenerated, never edited by hand, so they show what the code does today.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VAR = ROOT / "var" / "screenshots"
BIND = "127.0.0.1:8765"
SITE = f"http://{BIND}"
PASSWORD = "advocacy-demo"  # noqa: S105 - the demo's published staff password (advocacy/demo/reference.py)
ROLES = ("advocate", "head", "pm", "sales", "analyst", "admin")
EXTRA = {"advocate": ("/cases/1/",)}  # pages no menu links to
# A sign-in link for the demo's example portal customer, made the way the sign-in page makes one.
PORTAL_LINK = (
    "from django.conf import settings; "
    "from advocacy.customers.models import Customer; "
    "from advocacy.demo.management.commands.demo import portal_email; "
    "from advocacy.portal.signin.services import magic_link_create; "
    "email = portal_email(settings.VAR_DIR / 'demo-manifest.json'); "
    "print(f'/portal/sign-in/{magic_link_create(customer=Customer.objects.get(email=email))}/')"
)
CUSTOMERS = int(os.environ.get("SCREENSHOT_CUSTOMERS", "1500"))


def advocacy(*args: str, capture: bool = False) -> str:
    env = {**os.environ, "ADVOCACY_VAR_DIR": str(VAR)}
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(Path(sys.executable).parent / "advocacy"), *args], env=env, check=True, capture_output=capture, text=True
    )
    return done.stdout if capture else ""


def wait_for_server(timeout: float = 60) -> None:
    host, port = BIND.split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((host, int(port))) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"the demo server did not answer on {BIND} within {timeout:.0f} s")


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def shoot(page: Page, who: str, path: str) -> None:
    # The first screenful as a JPEG: what a person sees on opening the page, at a size a git
    # repository can keep (a full-page PNG of every page came to 19 MB).
    page.goto(SITE + path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{who}--{slug(path)}.jpg"), type="jpeg", quality=70)


def staff_pages(page: Page, username: str, seen: set[str]) -> None:
    """The role's own home, then each page of its menu that no earlier role has shown."""
    page.goto(SITE + "/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    menu = [a.get_attribute("href") or "" for a in page.locator("header nav a").all()]
    shoot(page, username, "/home/")
    for path in [*EXTRA.get(username, ()), *menu]:
        if path.startswith("/") and not path.startswith(("/admin", "/api/")) and path not in seen:
            seen.add(path)
            shoot(page, username, path)


def case_at_phone_width(browser: object, case_path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(SITE + "/sign-in/")
    page.get_by_label("Username").fill("advocate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    shoot(page, "advocate-phone", case_path)
    context.close()


def portal_pages(page: Page) -> None:
    link = advocacy("shell", "-c", PORTAL_LINK, capture=True).strip().splitlines()[-1]
    page.goto(SITE + link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    for path in ("/portal/", "/portal/hub/"):
        shoot(page, "customer", path)


def main() -> None:
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("make screenshots needs chromium: apt-get install chromium")
    shutil.rmtree(VAR, ignore_errors=True)
    shutil.rmtree(OUT, ignore_errors=True)
    VAR.mkdir(parents=True)
    OUT.mkdir(parents=True)
    advocacy("demo", "--no-serve", "--customers", str(CUSTOMERS))
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "advocacy"), "demo", "--no-worker", "--bind", BIND],
        env={**os.environ, "ADVOCACY_VAR_DIR": str(VAR)},
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_server()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            seen: set[str] = set()
            for username in ROLES:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                staff_pages(context.new_page(), username, seen)
                context.close()
            case_at_phone_width(browser, "/cases/1/")
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            portal_pages(context.new_page())
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"{len(list(OUT.glob('*.jpg')))} screenshots in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
