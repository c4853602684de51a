"""What every layer stands on: time, errors, ids, names and callers.

``clock.py`` (the virtual clock and its timers), ``timestamps.py`` (how AWS writes an
instant), ``errors.py`` (every AWS error sqskit returns), ``ids.py`` (seeded ids),
``arns.py`` (ARNs and queue URLs) and ``identity.py`` (who calls, from where).
"""
