"""Errors the domain raises for bad input; the CLI maps them to exit code 3."""


class InvalidInputError(ValueError):
    """A file, value or setting is not acceptable. The message names the problem."""
