from django import forms

from advocacy.casework.cases.queries import CaseFilters
from advocacy.casework.models import (
    CadencePolicy,
    CaseSettings,
    Category,
    DeadlineKind,
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
    # A report's drill-down (SLA, prevention): the cases behind one of its figures.
    opened_from = forms.DateField(required=False, label="Opened from")
    opened_to = forms.DateField(required=False, label="Opened to")
    promise = forms.ChoiceField(
        choices=[
            ("", "any"),
            ("kept", "every promise kept"),
            ("missed", "a promise missed"),
            *((kind, f"{label} promise missed") for kind, label in DeadlineKind.choices),
        ],
        required=False,
    )
    root_cause = forms.ChoiceField(choices=[("", "any root cause"), *RootCause.choices], required=False)
    recurrence = forms.BooleanField(required=False, label="Recurrences only")
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_service=False), required=False)

    def narrowing(self) -> CaseFilters | None:
        """The drill-down filters given, or None when the queue is not narrowed by a report."""
        data = self.cleaned_data
        narrow = CaseFilters(
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            promise=data.get("promise") or "",
            root_cause=data.get("root_cause") or "",
            recurrence=bool(data.get("recurrence")),
            owner_id=data["owner"].pk if data.get("owner") else None,
        )
        return None if narrow == CaseFilters() else narrow

    def narrowing_said(self) -> str:
        """The drill-down in words, for the line above the list."""
        narrow = self.narrowing()
        if narrow is None:
            return ""
        parts = []
        if narrow.opened_from or narrow.opened_to:
            parts.append(f"opened {narrow.opened_from or '…'} to {narrow.opened_to or '…'}")
        if narrow.promise:
            parts.append(dict(self.fields["promise"].choices)[narrow.promise])  # type: ignore[attr-defined]
        if narrow.root_cause:
            parts.append(f"root cause {RootCause(narrow.root_cause).label}")
        if narrow.recurrence:
            parts.append("recurrences")
        if narrow.owner_id:
            parts.append(f"owned by {self.cleaned_data['owner'].display_name}")
        return ", ".join(str(p) for p in parts)


class QueueViewForm(forms.ModelForm):
    class Meta:
        model = QueueView
        fields = ["name", "query"]
        labels = {"name": "Save these filters as"}
        widgets = {"query": forms.HiddenInput}
