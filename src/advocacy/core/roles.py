"""The roles of Advocacy. Staff sign in with a password; customers sign in to the portal by link."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    CUSTOMER_ADVOCATE = "customer_advocate", "Customer advocate"
    DEPARTMENT_HEAD = "department_head", "Department head"
    SALES = "sales", "Sales"
    ANALYST = "analyst", "Analyst"
    # Not a staff role: the portal's signed-in customer. Never stored on a User.
    CUSTOMER = "customer", "Customer"


STAFF_ROLES: frozenset[str] = frozenset(r.value for r in Role if r is not Role.CUSTOMER)
ALL_ROLES: frozenset[str] = frozenset(r.value for r in Role)

# Who may do what: the one place each role set is written. Pages (`allow`), API operations
# (`api_auth`), panels and home sections name these sets instead of listing roles again.
PROGRAM_TEAM: frozenset[str] = frozenset({Role.ADMIN, Role.PROGRAM_MANAGER})
"""Runs the advocacy program, the surveys and the imports."""
CASE_WORKERS: frozenset[str] = PROGRAM_TEAM | {Role.CUSTOMER_ADVOCATE}
"""Work cases end to end: updates, appointments, recommendations."""
CASE_READERS: frozenset[str] = CASE_WORKERS | {Role.ANALYST}
"""See every case (department heads see only the cases they have a huddle task on; sales none)."""
INSIGHT_READERS: frozenset[str] = CASE_WORKERS | {Role.DEPARTMENT_HEAD, Role.ANALYST}
"""Read cases, survey results and the care reports (everyone but sales)."""
REFERENCE_TEAM: frozenset[str] = PROGRAM_TEAM | {Role.SALES}
"""Ask for and arrange customer references."""
SCORE_READERS: frozenset[str] = REFERENCE_TEAM | {Role.ANALYST}
"""Read advocate scores and the program's figures."""
HUB_READERS: frozenset[str] = PROGRAM_TEAM | {Role.ANALYST}
"""Read the hub: challenges, submissions, rewards, members."""
IMPACT_READERS: frozenset[str] = PROGRAM_TEAM | {Role.ANALYST}
"""Read the program's impact: what it costs and returns (attribution, costs, ROI, the holdout), retention,
lifetime value and satisfaction by advocacy status."""
CUSTOMER_WRITERS: frozenset[str] = CASE_WORKERS | {Role.SALES}
"""Create and edit customers and accounts; trigger a transactional survey."""
ORDER_WRITERS: frozenset[str] = frozenset({Role.ADMIN, Role.SALES})
TASK_OWNERS: frozenset[str] = frozenset({Role.ADMIN, Role.DEPARTMENT_HEAD})
"""Department heads, who own huddle tasks (and the admin)."""
ADMINS: frozenset[str] = frozenset({Role.ADMIN})
"""Admins only: exchange rates, API keys, webhooks."""
