from django import forms

from advocacy.core.roles import STAFF_ROLES, Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who or what uses this key, e.g. 'CRM sync'.")
    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in Role if role.value in STAFF_ROLES],
        help_text="The key can do what this role can do, nothing more.",
    )
