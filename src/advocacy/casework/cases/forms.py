from django import forms

from advocacy.casework.models import (
    CadencePolicy,
    CaseSettings,
    Category,
    Department,
    Priority,
    QueueView,
    RootCause,
    Source,
    Status,
)
from advocacy.core.models import User
from advocacy.core.roles import Role


class CaseOpenForm(forms.Form):
    subject = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    source = forms.ChoiceField(choices=Source.choices, initial=Source.PHONE)
    needs = forms.CharField(required=False, help_text="Capability tags the customer needs, comma-separated.")


class PortalCaseForm(forms.Form):
    subject = forms.CharField(max_length=200, label="What is it about?")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Tell us more")
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER, label="Topic")


class MessageForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in Status if s not in {Status.NEW, Status.RESOLVED}])
    note = forms.CharField(required=False, max_length=500)


class TransferForm(forms.Form):
    to = forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.CUSTOMER_ADVOCATE, is_active=True, is_service=False), label="New owner"
    )
    reason = forms.CharField(max_length=300)


class HuddleForm(forms.Form):
    meeting_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    agenda = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.select_related("head"), widget=forms.CheckboxSelectMultiple
    )
    tasks_due = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Tasks due by")
    task_notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What each department should do"
    )


class ResolveForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="How it was resolved (the customer reads this)"
    )
    with_prevention = forms.BooleanField(required=False, initial=True, label="Record a prevention step")
    root_cause_category = forms.ChoiceField(choices=RootCause.choices, required=False)
    root_cause = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    corrective_action = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action_owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, is_service=False), required=False
    )
    action_due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    verify_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class VerifyForm(forms.Form):
    outcome = forms.CharField(max_length=1000, label="What the check found")


class CadencePolicyForm(forms.ModelForm):
    class Meta:
        model = CadencePolicy
        fields = ["first_response_minutes", "update_every_minutes", "resolution_minutes"]


class CaseSettingsForm(forms.ModelForm):
    prevention_categories = forms.MultipleChoiceField(
        choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    prevention_priorities = forms.MultipleChoiceField(
        choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CaseSettings
        fields = ["warn_before_minutes", "recurrence_days", "prevention_categories", "prevention_priorities"]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string: a bad value is a 400, never a guess."""

    scope = forms.ChoiceField(choices=[("mine", "my cases"), ("all", "all cases")], required=False)
    state = forms.ChoiceField(
        choices=[("open", "open"), ("resolved", "resolved"), ("closed", "closed"), ("all", "any state")],
        required=False,
    )
    status = forms.ChoiceField(choices=[("", "any status"), *Status.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "any priority"), *Priority.choices], required=False)
    overdue = forms.BooleanField(required=False)
    q = forms.CharField(max_length=200, required=False, label="Search")
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class QueueViewForm(forms.ModelForm):
    class Meta:
        model = QueueView
        fields = ["name", "query"]
        labels = {"name": "Save these filters as"}
        widgets = {"query": forms.HiddenInput}
