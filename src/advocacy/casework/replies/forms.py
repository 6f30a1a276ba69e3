from django import forms

from advocacy.casework.models import ReplyTemplate
from advocacy.casework.replies.services import PLACEHOLDER_HELP


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["name", "body", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"body": PLACEHOLDER_HELP, "active": "Only active templates are offered on the case page."}
