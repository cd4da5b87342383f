"""Validity in time: what the catalog offers as current on a given day.

A procedure or programme carries ``valid_from`` / ``valid_until`` when its source states them (a scheme that ended,
one that starts later); an amount carries ``effective_from`` / ``valid_until``. On the day of the event (or today
when the event date is unknown) an ended or not-yet-started procedure is not offered, and an amount outside its
validity is dropped, so a fact past its ``valid_until`` is never offered as current. History stays in the catalog.

>>> import datetime as dt
>>> p = default_catalog().procedure("koto-birth-childcare-gift", "131083")  # doctest: +SKIP
>>> in_force(p, dt.date(2027, 5, 1)) is None  # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime as dt

from knowledge.models import Amount, Procedure


def applies_on(proc: Procedure, day: dt.date) -> bool:
    """True when ``proc`` is offered for an event on ``day`` (inside valid_from..valid_until, both inclusive)."""
    if proc.valid_from and day < proc.valid_from:
        return False
    return not (proc.valid_until and day > proc.valid_until)


def amount_applies_on(amount: Amount, day: dt.date, today: dt.date | None = None) -> bool:
    """False for an amount that ended before ``day``, or that takes effect only after both ``day`` and today
    (an amount that started after a past event is what is paid now, so it stays)."""
    if amount.valid_until and day > amount.valid_until:
        return False
    return not (amount.effective_from and amount.effective_from > max(day, today or dt.date.today()))


def in_force(proc: Procedure, day: dt.date | None, today: dt.date | None = None) -> Procedure | None:
    """``proc`` as it stands on ``day`` (today when None): None when it does not apply then; amounts outside
    their validity removed (a superseded amount and its successor never show together)."""
    day = day or today or dt.date.today()
    if not applies_on(proc, day):
        return None
    amounts = [a for a in proc.amounts if amount_applies_on(a, day, today)]
    if len(amounts) == len(proc.amounts):
        return proc
    return proc.model_copy(update={"amounts": amounts})
