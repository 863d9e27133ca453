"""The safety rules every Footnote spreadsheet shares, and widgets that name rows by natural key.

Rows name each other by natural key (slugs, citation keys, claim IDs), never by database id, so a
file exported from one database imports into another.
"""

import itertools
import operator
import uuid
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, UniqueConstraint
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.encoding import force_str
from import_export import resources, widgets
from import_export.instance_loaders import ModelInstanceLoader

from common.caching import forget_public_pages

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


class KnownRows:
    """The rows a file names by slug, looked up once per import rather than once per cell."""

    def __init__(self, model, field):
        self.model, self.field, self.rows = model, field, None

    def prime(self, values) -> None:
        self.rows, wanted = {}, iter({v for v in values if v})
        while chunk := list(itertools.islice(wanted, KeyedInstanceLoader.CHUNK)):
            found = self.model._default_manager.filter(**{f"{self.field}__in": chunk})
            self.rows.update((getattr(obj, self.field), obj) for obj in found)

    def find(self, values: list[str]) -> dict:
        if self.rows is None:  # not primed: a single row, outside a file import
            found = self.model._default_manager.filter(**{f"{self.field}__in": values})
            return {getattr(obj, self.field): obj for obj in found}
        return {value: self.rows[value] for value in values if value in self.rows}


def _slugs(value, separator=None) -> list[str]:
    text = force_str(value if value is not None else "")
    parts = text.split(separator) if separator else [text]
    return [part.strip() for part in parts if part.strip()]


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related row's slug (or other unique field), with a clear error."""

    def __init__(self, model, field="slug", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.known = KnownRows(model, field)

    def prime(self, cells) -> None:
        self.known.prime(slug for cell in cells for slug in _slugs(unescape_formula(cell)))

    def clean(self, value, row=None, **kwargs):
        slugs = _slugs(value)
        if not slugs:
            return None
        found = self.known.find(slugs)
        if slugs[0] not in found:
            name = self.model._meta.verbose_name
            raise ValueError(f"No {name} has the {self.field} “{slugs[0]}”.")
        return found[slugs[0]]


class UuidWidget(SlugWidget):
    """A foreign key written as the related row's stable UUID (a claim's uid), with a clear error."""

    def __init__(self, model, field="uid", **kwargs):
        super().__init__(model, field=field, **kwargs)

    def _uuid(self, text: str) -> uuid.UUID:
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(f"“{text}” is not the ID of a {self.model._meta.verbose_name}.") from None

    def key_of(self, value) -> uuid.UUID | None:
        """The UUID a cell names, or None for an empty cell; ValueError if it is not a UUID."""
        texts = _slugs(value)
        return self._uuid(texts[0]) if texts else None

    def prime(self, cells) -> None:
        keys = set()
        for cell in cells:
            try:
                keys.add(self.key_of(unescape_formula(cell)))
            except ValueError:
                continue  # the row reports it
        self.known.prime(keys - {None})

    def clean(self, value, row=None, **kwargs):
        key = self.key_of(value)
        if key is None:
            return None
        found = self.known.find([key])
        if key not in found:
            raise ValueError(f"No {self.model._meta.verbose_name} has the {self.field} “{key}”.")
        return found[key]

    def render(self, value, obj=None, **kwargs):
        return str(getattr(value, self.field)) if value is not None else ""


class SlugListWidget(widgets.ManyToManyWidget):
    """Many-to-many as comma-separated slugs. Unlike the library's widget, an unknown slug is an error
    rather than silently dropped, so an import never loses a link without saying so."""

    def __init__(self, model, field="slug", **kwargs):
        super().__init__(model, separator=",", field=field, **kwargs)
        self.known = KnownRows(model, field)

    def prime(self, cells) -> None:
        self.known.prime(slug for cell in cells for slug in _slugs(unescape_formula(cell), self.separator))

    def clean(self, value, row=None, **kwargs) -> list:
        wanted = _slugs(value, self.separator)
        found = self.known.find(wanted)
        missing = sorted(set(wanted) - set(found))
        if missing:
            name = self.model._meta.verbose_name_plural
            raise ValueError(f"Unknown {name}: {', '.join(missing)}.")
        return list(dict.fromkeys(found[slug] for slug in wanted))

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


class IsoDateWidget(widgets.Widget):
    """A date written as 2022-11-01."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if hasattr(value, "year"):  # already a date (binary formats)
            return value if not hasattr(value, "hour") else value.date()
        parsed = parse_date(force_str(value).strip())
        if parsed is None:
            raise ValueError(f"“{value}” is not a date: write it as YYYY-MM-DD, e.g. 2022-11-01.")
        return parsed

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class IsoDateTimeWidget(widgets.Widget):
    """A moment written in ISO 8601 (2022-11-01T09:30:00+00:00); without an offset it is local time."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        parsed = value if hasattr(value, "hour") else parse_datetime(force_str(value).strip())
        if parsed is None:
            raise ValueError(f"“{value}” is not a date and time: write e.g. 2022-11-01T09:30:00+00:00.")
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


class TextWidget(widgets.CharWidget):
    """Text kept exactly as written; an empty cell (which Excel reads back as nothing) is empty text."""

    def __init__(self, **kwargs):
        super().__init__(coerce_to_string=True, allow_blank=True)

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else force_str(value)


class KeyedInstanceLoader(ModelInstanceLoader):
    """Finds the stored rows a file names in a few queries, by its natural key, a thousand keys at a time."""

    CHUNK = 1000

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        id_fields = resource.get_import_id_fields()
        self.key_field = resource.fields[id_fields[0]] if len(id_fields) == 1 else None
        self.instances = {}
        if self.key_field is None or self.key_field.column_name not in (dataset.headers or []):
            return
        keys_iter = iter(self._keys(dataset.dict) - {None, ""})
        while chunk := list(itertools.islice(keys_iter, self.CHUNK)):
            found = self.get_queryset().filter(**{f"{self.key_field.attribute}__in": chunk})
            self.instances.update({self.key_field.get_value(obj): obj for obj in found})

    def _keys(self, rows) -> set:
        keys = set()
        for row in rows:
            try:
                keys.add(self.key_field.clean(row))
            except ValueError:
                continue  # the row reports its own wrong key
        return keys

    def get_instance(self, row):
        if self.key_field is None:  # a key of several columns: one lookup per row
            try:
                return super().get_instance(row)
            except ValueError:
                return None  # a key cell names nothing: the row reports it as invalid
        try:
            key = self.key_field.clean(row)
        except ValueError:
            return None  # the row's key cell is wrong: the row is reported as invalid
        return self.instances.get(key)


# SQL's three-valued comparisons: a comparison with NULL is unknown, and a CHECK passes unless false.
_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _field(instance, name: str):
    return instance._meta.pk if name == "pk" else instance._meta.get_field(name)


def _referenced(condition: Q, model) -> set[str]:
    """The names of the fields a check constraint's condition reads."""
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _referenced(child, model)
            continue
        lookup, wanted = child
        names.add(lookup.partition("__")[0])
        if isinstance(wanted, F):
            names.add(wanted.name)
    return {model._meta.pk.name if name == "pk" else name for name in names}


def _check_holds(condition: Q, instance) -> bool | None:
    """Whether a check constraint's condition holds for an unsaved instance, in Python; raises
    LookupError for anything but plain comparisons of the instance's own fields."""
    outcomes = []
    for child in condition.children:
        if isinstance(child, Q):
            outcomes.append(_check_holds(child, instance))
            continue
        lookup, wanted = child
        name, _, kind = lookup.partition("__")
        value = getattr(instance, _field(instance, name).attname)
        column = isinstance(wanted, F)  # compared with another column: NULL there is unknown too
        if column:
            wanted = getattr(instance, _field(instance, wanted.name).attname)
        if kind == "isnull" or (kind in ("", "exact") and wanted is None and not column):
            outcomes.append((value is None) == (wanted if kind == "isnull" else True))
        elif kind in ("", *_COMPARISONS) and not hasattr(wanted, "resolve_expression"):
            compare = _COMPARISONS[kind or "exact"]
            outcomes.append(None if value is None or wanted is None else compare(value, wanted))
        else:
            raise LookupError(lookup)
    if condition.connector == Q.AND:
        held = False if False in outcomes else None if None in outcomes else True
    else:
        held = True if True in outcomes else None if None in outcomes else False
    return held if held is None or not condition.negated else not held


class UnshownDiff(resources.Diff):
    """A diff nobody will read cell by cell (a file too large to preview on one page): no HTML."""

    def as_html(self):
        return []


class SpreadsheetResource(resources.ModelResource):
    """What every Footnote resource does.

    - Exports are safe to open in a spreadsheet: cells that would run as formulae get an apostrophe,
      which the import takes off again, so a round trip gives back what was exported.
    - Text comes back as it went out: an empty cell is empty text, never NULL.
    - Imports are all or nothing: a row with an error, or one that fails validation, rolls back the
      whole file (the library rolls back only on errors unless asked).
    - Many-to-many columns are checked with the other columns, so their errors are row errors.
    - Every row is validated in full, but without a query per row: stored rows are found by key in
      bulk, unique values are looked up once per file, and check constraints are evaluated in Python.
    """

    class Meta:
        instance_loader_class = KeyedInstanceLoader
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.CharField | models.TextField) and not f.null and not f.choices:
            return TextWidget
        return super().widget_from_django_field(f, default)

    # One example row for the downloadable template, by column; a column left out is left empty.
    example: dict[str, str] = {}

    @classmethod
    def template_dataset(cls) -> tablib.Dataset:
        """The columns an import reads, with one example row to overwrite."""
        columns = [field.column_name for field in cls().get_import_fields() if not field.readonly]
        return tablib.Dataset([cls.example.get(column, "") for column in columns], headers=columns)

    def iter_queryset(self, queryset):
        # A chunk at a time, with its prefetches (the library pages with OFFSET when there are any).
        if not isinstance(queryset, models.QuerySet):
            yield from queryset
            return
        yield from (queryset if queryset.ordered else queryset.order_by("pk")).iterator(chunk_size=2000)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        for field in self.get_import_fields():
            if hasattr(field.widget, "prime") and field.column_name in (dataset.headers or []):
                field.widget.prime(dataset[field.column_name])
        self._taken = {name: self._stored_owners(name, dataset) for name in self._unique_fields()}
        self._claimed = {name: {} for name in self._taken}

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            row[column] = unescape_formula(value)
        super().before_import_row(row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if progress := kwargs.get("progress"):
            progress(kwargs["row_number"])

    def get_import_fields(self):
        # Asked several times per row; the fields do not change during an import.
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def get_diff_class(self):
        return resources.Diff if self._diffs_shown else UnshownDiff

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        self._diffs_shown = len(dataset) <= settings.FOOTNOTE_IMPORT_INLINE_ROWS
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions, **kwargs
        )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        forget_public_pages()  # bulk writes send no signal; a dry run rolls this back with the rest

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        user, opts = kwargs.get("user"), self._meta.model._meta
        action = "add" if instance.pk is None else "change"
        if getattr(user, "pk", None) and not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            verb = "add" if action == "add" else "change"
            raise ValidationError(
                f"You may not {verb} {opts.verbose_name_plural}: ask an editor for the right."
            )

    def get_bulk_update_fields(self):
        concrete = {f.attname: f.name for f in self._meta.model._meta.concrete_fields if not f.primary_key}
        # Export-only columns are never written back: what fills them (a checker, a service) may
        # have changed them since the file's rows were read.
        names = {
            field.attribute for field in self.get_import_fields() if field.attribute and not field.readonly
        }
        return sorted(name for name in concrete.values() if name in names)

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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # A related row the file named was found in the database by its widget: no need to ask again.
        found = {
            f.name
            for f in instance._meta.concrete_fields
            if f.is_relation and f.is_cached(instance) and getattr(f.get_cached_value(instance), "pk", None)
        }
        try:
            instance.full_clean(exclude={*errors, *found}, validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        self._check_unique(instance, errors)
        self._check_constraints(instance, errors)
        if errors:
            raise ValidationError(errors)

    # Unique values and constraints, checked without a query per row ------------------------------

    def _unique_fields(self) -> list[str]:
        """Fields whose value no two rows may share (an empty value is exempt, as in the constraints)."""
        meta = self._meta.model._meta
        names = [f.name for f in meta.concrete_fields if f.unique and not f.primary_key]
        for constraint in meta.constraints:
            if isinstance(constraint, UniqueConstraint) and len(constraint.fields) == 1:
                names.append(constraint.fields[0])
        return list(dict.fromkeys(names))

    def unique_values_in(self, name: str, dataset) -> set:
        """The values `name` will take in the file's rows, to look up at once (override when derived)."""
        field = next((f for f in self.get_import_fields() if f.attribute == name), None)
        if field is None or field.column_name not in (dataset.headers or []):
            return set()
        values = set()
        for cell in dataset[field.column_name]:
            try:
                values.add(field.widget.clean(unescape_formula(cell)))
            except ValueError:
                continue  # the row itself reports it
        return values - {None, ""}

    def _stored_owners(self, name: str, dataset) -> dict:
        owners, values = {}, iter(self.unique_values_in(name, dataset))
        while chunk := list(itertools.islice(values, KeyedInstanceLoader.CHUNK)):
            manager = self._meta.model._default_manager
            owners.update(manager.filter(**{f"{name}__in": chunk}).values_list(name, "pk"))
        return owners

    def _check_unique(self, instance, errors: dict) -> None:
        for name, owners in self._taken.items():
            value = getattr(instance, name)
            if name in errors or value in (None, ""):
                continue
            column, label = self.unique_column(name)
            owner = owners.get(value)
            if owner is not None and owner != instance.pk:
                errors[column] = [f"Another {self._meta.model._meta.verbose_name} already has this {label}."]
                continue
            other_row = self._claimed[name].setdefault(value, instance)
            if other_row is not instance and (instance.pk is None or other_row.pk != instance.pk):
                errors[column] = [f"Another row of this file has the same {label}."]

    def unique_column(self, name: str) -> tuple[str, str]:
        """The field to blame when a unique value is taken, and what to call the value."""
        return name, self._meta.model._meta.get_field(name).verbose_name

    def _check_constraints(self, instance, errors: dict) -> None:
        model = self._meta.model
        for constraint in model._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and len(constraint.fields) == 1:
                continue  # checked above
            condition = None if isinstance(constraint, UniqueConstraint) else constraint.condition
            if condition is not None and _referenced(condition, model) & set(errors):
                continue  # a field it reads is wrong already, and says so (as full_clean does)
            try:
                if isinstance(constraint, UniqueConstraint) or constraint.condition is None:
                    raise LookupError(constraint.name)
                if _check_holds(constraint.condition, instance) is not False:
                    continue
                raise ValidationError(constraint.get_violation_error_message())
            except LookupError:
                try:  # not plain enough to evaluate here: ask the database, as full_clean would
                    constraint.validate(model, instance, exclude=set(errors))
                except ValidationError as e:
                    errors.setdefault("__all__", []).extend(e.messages)
            except ValidationError as e:
                errors.setdefault("__all__", []).extend(e.messages)
