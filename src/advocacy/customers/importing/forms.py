"""The upload form of the imports page: it checks the request, the import service checks the file."""

from __future__ import annotations

import codecs

from django import forms

from advocacy.customers.importing.mapping import parse_mapping_lines
from advocacy.customers.importing.readers import size_refusal
from advocacy.customers.models import ImportKind


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices)
    file = forms.FileField(help_text="CSV (UTF-8 or Windows-1252) or XLSX, with the column names on the first line.")
    encoding = forms.CharField(
        required=False, max_length=40, help_text="Leave empty to detect it; for example cp1252 or latin-1."
    )
    mapping = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, one per line: Header in the file=field, e.g. 'Mail=email'.",
    )
    dry_run = forms.BooleanField(required=False, label="Dry run (check and count, write nothing)")
    atomic = forms.BooleanField(required=False, label="All or nothing (write nothing if any row is bad)")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        refusal = size_refusal(upload.size or 0)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload

    def clean_encoding(self) -> str:
        encoding = self.cleaned_data["encoding"].strip()
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError as exc:
                raise forms.ValidationError(f"Unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1.") from exc
        return encoding

    def clean_mapping(self) -> dict[str, str]:
        try:
            return parse_mapping_lines(self.cleaned_data["mapping"].splitlines())
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
