"""caro's error taxonomy. Every failure a user can meet is one of these; the CLI renders it.

    CaroError                      exit 1  internal error
    ├── UsageError                 exit 2  bad flags or arguments
    ├── ConfigError                exit 2  malformed config file or wrong value
    ├── MissingExtra               exit 2  an optional part (extra) is not installed
    ├── BackendError               exit 3  one backend could not produce a command
    │   ├── BackendUnavailable             server down, no model, extra missing
    │   ├── BackendTimeout                 no answer in time
    │   ├── BackendResponseError           HTTP error or malformed body
    │   ├── UnparseableOutput              the model answered, but with no command in it
    │   └── Declined                       the backend does not know (built-in catalog)
    ├── NoBackendError             exit 3  every backend in the chain failed
    ├── BlockedError               exit 4  the safety engine blocks the command
    └── UserDeclined               exit 5  the user said no

    caro.local_models.download.DownloadError    exit 6  `caro models pull` could not download (codes download_failed,
                                           offline, checksum_mismatch); inside the backend chain it is an
                                           unavailable backend like any other.

Each error carries a one-line message (what happened), a hint (what to do next) and a stable `code`
string used in `-o json` output. Programmer mistakes are not CaroErrors: they surface as internal errors.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NO_BACKEND = 3
EXIT_BLOCKED = 4
EXIT_DECLINED = 5
EXIT_DOWNLOAD = 6


class CaroError(Exception):
    """Base class: a failure with a message, a hint and an exit code."""

    exit_code = EXIT_INTERNAL
    code = "internal"

    def __init__(self, message: str, hint: str = "", *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # Extra diagnostic text (for example a model's raw output), shown only with -v.
        self.detail = detail

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class UsageError(CaroError):
    """Bad command-line usage."""

    exit_code = EXIT_USAGE
    code = "usage"


class ConfigError(CaroError):
    """A malformed configuration file or an invalid value."""

    exit_code = EXIT_USAGE
    code = "config"


class MissingExtra(CaroError):
    """An optional dependency group is not installed."""

    exit_code = EXIT_USAGE
    code = "missing_extra"

    def __init__(self, extra: str, what: str) -> None:
        super().__init__(f"{what} needs caro's '{extra}' extra, which is not installed", install_hint(extra))
        self.extra = extra


def install_hint(extra: str) -> str:
    """How to add an extra: caro is installed from its repository, so pip installs it from the clone."""
    line = f"from your caro clone (the folder with pyproject.toml): pip install '.[{extra}]'"
    if extra == "train":
        return ("Install torch first (the build for your machine, see pytorch.org), then, " + line
                + "; docs/fine-tuning.md has the details.")
    if extra == "embedded":
        return f"Install it {line} (it compiles llama.cpp: a few minutes; needs a C compiler and CMake)."
    return f"Install it {line}."


class BackendError(CaroError):
    """One backend could not produce a command. The chain may fall back to the next one."""

    exit_code = EXIT_NO_BACKEND
    code = "backend_error"


class BackendUnavailable(BackendError):
    """The backend cannot be used now (server down, no model loaded, part not installed)."""

    code = "backend_unavailable"


class BackendTimeout(BackendError):
    """The backend did not answer in time."""

    code = "timeout"


class BackendResponseError(BackendError):
    """The backend answered with an HTTP error or a body caro cannot read."""

    code = "bad_response"


class UnparseableOutput(BackendError):
    """The model answered, but no command could be found in its answer."""

    code = "unparseable_output"


class Declined(BackendError):
    """The backend does not know how to answer this request (the built-in catalog says so)."""

    code = "declined"


class NoBackendError(CaroError):
    """Every backend in the chain failed; the message lists each reason."""

    exit_code = EXIT_NO_BACKEND
    code = "no_backend"
    # Every backend tried, with its reason (caro.result.Fallback objects), for -o json's "fallbacks".
    fallbacks: list = []  # type: ignore[type-arg]


class BlockedError(CaroError):
    """The safety engine blocks this command at the current safety mode."""

    exit_code = EXIT_BLOCKED
    code = "blocked"


class UserDeclined(CaroError):
    """The user did not approve running the command."""

    exit_code = EXIT_DECLINED
    code = "declined_by_user"
