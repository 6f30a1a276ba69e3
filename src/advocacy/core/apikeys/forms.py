from django import forms

from advocacy.core.models import User
from advocacy.core.roles import STAFF_ROLES, Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who or what uses this key, e.g. 'CRM sync'.")
    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in Role if role.value in STAFF_ROLES],
        help_text="The key can do what this role can do, nothing more.",
    )
    acts_as = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, is_service=False).order_by("role", "username"),
        required=False,
        label="Acts as",
        empty_label="its own service identity",
        help_text="What it writes is recorded as this person's (of the key's role), or as the key's own identity.",
    )
