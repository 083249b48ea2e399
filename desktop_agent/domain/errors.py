"""Errors the domain raises for bad input; the CLI maps them to exit code 3."""


class InvalidInputError(ValueError):
    """A file, value or setting is not acceptable. The message names the problem."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived (a closed terminal, `kill`, a shutdown): handled like
    Ctrl+C, so whatever was under way stops cleanly, but with its own reason."""

    def __init__(self, signal_name: str, signal_number: int) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.exit_code = 128 + signal_number
        self.reason = (
            f"Stopped: Desktop Agent was told to quit ({signal_name}); the partial reply was kept."
        )
