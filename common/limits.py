"""Limits on what one request may cost, whatever it asks for: no query runs longer than a few
seconds, on PostgreSQL or SQLite."""

import time
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

TIME_LIMIT_SECONDS = 3


class TooSlow(Exception):
    """The queries ran past their time limit and were stopped."""


@contextmanager
def time_limit(seconds: float = TIME_LIMIT_SECONDS):
    """Stop any query run inside after `seconds`, raising TooSlow: no request may hold a worker
    for long, whatever a visitor asks for."""
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = %s", [int(seconds * 1000)])
                yield
        except OperationalError as error:
            raise TooSlow from error
        return
    connection.ensure_connection()
    deadline = time.monotonic() + seconds
    raw = connection.connection
    raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        yield
    except OperationalError as error:
        raise TooSlow from error
    finally:
        raw.set_progress_handler(None, 0)
