"""The forms behind the answer pages: a score (web survey) and a comment."""

from django import forms


class ScoreForm(forms.Form):
    score = forms.IntegerField()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
