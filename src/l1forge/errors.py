"""The one exception type that reaches a user as a single line.

Every stage raises `UserError` for bad input (a malformed card, a wrong file, NaN events,
a missing compiler). The CLI prints its message on one line to stderr and exits with
status 2; no traceback reaches the user. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_USER_ERROR = 2


class UserError(Exception):
    """Bad input described in one line: what is wrong, where, and what was expected."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
