"""One exception type for every user-facing problem: the CLI prints it as one line, no traceback."""


class SymlaError(Exception):
    """A problem the user can fix; the message names it and the fix."""


class ConfigValueError(SymlaError, ValueError):
    """A bad name or size (unknown learner or split, an environment a learner cannot run on)."""
