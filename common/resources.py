"""The safety rules every Footnote spreadsheet shares, and widgets that name rows by natural key.

Rows name each other by natural key (slugs, citation keys, claim IDs), never by database id, so a
file exported from one database imports into another.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from import_export import resources, widgets

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Prefix an apostrophe to a text cell a spreadsheet would run as a formula.

    A cell that merely looks escaped already ("'=x" typed by hand) gets one more apostrophe, so that
    `unescape_formula` gives back exactly what was exported.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value):
    """Undo `escape_formula` on an imported cell."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related row's slug (or other unique field), with a clear error."""

    def __init__(self, model, field="slug", **kwargs):
        super().__init__(model, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = force_str(value if value is not None else "").strip()
        if not value:
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: value})
        except self.model.DoesNotExist:
            name = self.model._meta.verbose_name
            raise ValueError(f"No {name} has the {self.field} “{value}”.") from None


class SlugListWidget(widgets.ManyToManyWidget):
    """Many-to-many as comma-separated slugs. Unlike the library's widget, an unknown slug is an error
    rather than silently dropped, so an import never loses a link without saying so."""

    def __init__(self, model, field="slug", **kwargs):
        super().__init__(model, separator=",", field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        wanted = [part.strip() for part in force_str(value or "").split(self.separator) if part.strip()]
        if not wanted:
            return self.model.objects.none()
        found = self.model.objects.filter(**{f"{self.field}__in": wanted})
        missing = sorted(set(wanted) - {getattr(obj, self.field) for obj in found})
        if missing:
            name = self.model._meta.verbose_name_plural
            raise ValueError(f"Unknown {name}: {', '.join(missing)}.")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(sorted(force_str(getattr(item, self.field)) for item in value.all()))


class StrictDecimalWidget(widgets.NumberWidget):
    """A plain decimal number ("70000000000", "-3.5"), written without locale formatting."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        text = force_str(value).strip().replace(" ", "").replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}” is not a number: write digits such as 70000000000 or 3.5.") from None
        if not number.is_finite():
            raise ValueError(f"“{value}” is not a number.")
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


class SpreadsheetResource(resources.ModelResource):
    """What every Footnote resource does.

    - Exports are safe to open in a spreadsheet: cells that would run as formulae get an apostrophe,
      which the import takes off again, so a round trip gives back what was exported.
    - Imports are all or nothing: a row with an error, or one that fails validation, rolls back the
      whole file (the library rolls back only on errors unless asked).
    - Many-to-many columns are checked with the other columns, so their errors are row errors.
    """

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            row[column] = unescape_formula(value)
        super().before_import_row(row, **kwargs)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions, **kwargs
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        errors.update(self.row_errors(instance, row, **kwargs))
        if errors:
            raise ValidationError(errors)

    def row_errors(self, instance, row, **kwargs) -> dict:
        """Errors in the columns model validation does not see, by field (many-to-many here)."""
        errors = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as e:
                    errors[field.attribute] = ValidationError(force_str(e), code="invalid")
        return errors
