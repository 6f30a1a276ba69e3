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
