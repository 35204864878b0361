"""Exceptions that carry a message fit to show a user as one line (the CLI prints it and exits 1)."""


class ClojureDataError(Exception):
    """Base class: a problem the user can fix (bad input, bad policy, missing dependency)."""


class InputError(ClojureDataError):
    """The input path is missing, empty, unreadable or of the wrong kind."""


class PolicyError(ClojureDataError):
    """A policy file is malformed or names a pass or setting that does not exist."""


class RegistryError(ClojureDataError, KeyError):
    """A source or pass name is not registered."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""
