"""The product's clock: which day it is, as an input.

"Today" decides which months are complete, which month is in progress, the default year of the pages
and whether a date in an upload lies in the future. Every function that depends on it takes
``today=``; when a caller gives none, the day is this module's :func:`today`: ``$PARTYDAY_TODAY``
(``YYYY-MM-DD``) when set, so that a server, a command or a test run can be pinned to a day, otherwise
the machine's local date.
"""

from __future__ import annotations

import datetime as dt
import os

from pipelines.errors import PartydayError, error

ENV = "PARTYDAY_TODAY"


def parse_day(text: str, source: str) -> dt.date:
    """``text`` as a ``YYYY-MM-DD`` date; refuses anything else, naming where it came from."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PartydayError(error("clock.bad_day", value=text, source=source)) from None


def iso_day(text: str) -> dt.date:
    """A command-line ``YYYY-MM-DD`` (argparse turns the ``ValueError`` into a usage error)."""
    return dt.date.fromisoformat(text)


def today() -> dt.date:
    """The day the product judges as of: ``$PARTYDAY_TODAY`` if set, else the machine's date."""
    pinned = os.environ.get(ENV, "").strip()
    return parse_day(pinned, ENV) if pinned else dt.date.today()


def now() -> dt.datetime:
    """The moment a record is stamped (a snapshot's time of taking): :func:`today`'s date with the
    machine's time of day, to the second, so a pinned day pins what the record is judged as of."""
    moment = dt.datetime.now().replace(microsecond=0)
    return dt.datetime.combine(today(), moment.time())
