"""The errors vqa raises on purpose, and the exit status of each.

Every error the project raises deliberately derives from :class:`VqaError`; the
CLI prints such an error as one line and exits with its ``exit_code``, one of
:class:`ExitCode`. Anything else reaching the CLI is an internal error (exit 1).

Each subclass also derives from the built-in exception a caller would expect
(``ValueError``, ``LookupError``, ``OSError``) and keeps the facts it is about
as attributes, so ``--json`` output and tests never parse messages.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "ExitCode",
    "VqaError",
    "UsageError",
    "DocumentError",
    "PluginError",
    "PluginLoadError",
    "PluginCallError",
    "DeclarationError",
    "UnknownCorpusError",
    "MetadataError",
    "DatasetNotFoundError",
    "StateError",
    "OutputLockedError",
    "OutputError",
    "DownloadError",
    "DownloadsRemainError",
    "ShardError",
    "LabelError",
    "TrainingError",
    "CheckFailedError",
    "GateFailedError",
    "MissingExtraError",
    "ExecutorError",
    "VerificationError",
    "ExportError",
    "ClipDecodeError",
]


class ExitCode(IntEnum):
    """The exit status of every ``vqa`` command: one meaning each, whatever the command."""

    #: The command did what it was asked.
    OK = 0
    #: A bug in vqa or a plugin that vqa did not anticipate (one line; ``VQA_DEBUG=1`` for the traceback).
    INTERNAL = 1
    #: Bad usage or bad input: an option, a file, a table or a plugin's data that cannot work.
    USAGE = 2
    #: The command ran to the end and a check it makes said no (a training gate, ``verify``,
    #: ``--strict`` with broken plugins); its result is written and printed.
    CHECK_FAILED = 3
    #: A network or download problem remains: a download failed, or clips are still not downloaded.
    NETWORK = 4
    #: The output is locked: another vqa process is writing it.
    LOCKED = 5

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.INTERNAL: "internal error (a bug; VQA_DEBUG=1 shows the traceback)",
    ExitCode.USAGE: "usage or bad input",
    ExitCode.CHECK_FAILED: "a check failed (training gate, verify mismatch, --strict with broken plugins)",
    ExitCode.NETWORK: "a network or download problem remains",
    ExitCode.LOCKED: "the output is locked by another run",
}


class VqaError(Exception):
    """Base class of every error vqa raises on purpose."""

    #: Process exit status the CLI uses for this error (bad input or usage unless a subclass says otherwise).
    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(VqaError, ValueError):
    """A command was called with options that cannot work together."""


class DocumentError(UsageError):
    """A JSON document vqa reads back (a model sidecar, a manifest) is not JSON or does not
    match its schema; ``path`` is the file."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class PluginError(VqaError):
    """A corpus plugin broke the contract."""

    def __init__(self, message: str, *, distribution: str | None = None) -> None:
        super().__init__(message)
        self.distribution = distribution


class PluginLoadError(PluginError, ImportError):
    """A plugin could not be imported or registered; raised under ``--strict``.

    Exit 3: ``--strict`` is a check that every installed plugin loads, and it said no.
    """

    exit_code = ExitCode.CHECK_FAILED


class PluginCallError(PluginError):
    """A plugin's hook raised an unexpected exception while vqa called it or consumed its rows.

    The cause is chained (``raise ... from exc``). ``distribution`` and ``version`` name the
    plugin, ``hook`` the hook, ``corpus`` the corpus it was called for (or ``feature_schema``
    the feature schema), and ``origin`` where in its rows the plugin was (``"after
    scores.csv:17"``, ``"before the first row"``) or ``None`` for a hook that returns a value.
    """

    def __init__(
        self,
        message: str,
        *,
        distribution: str,
        version: str | None,
        hook: str,
        corpus: str | None,
        origin: str | None = None,
        feature_schema: str | None = None,
    ) -> None:
        super().__init__(message, distribution=distribution)
        self.version = version
        self.hook = hook
        self.corpus = corpus
        self.origin = origin
        self.feature_schema = feature_schema


class DeclarationError(PluginError, ValueError):
    """A corpus declaration is invalid; ``problems`` lists every reason with its path."""

    def __init__(
        self, message: str, *, problems: tuple[str, ...] = (), distribution: str | None = None
    ) -> None:
        super().__init__(message, distribution=distribution)
        self.problems = problems


class UnknownCorpusError(VqaError, LookupError):
    """A corpus id names no installed plugin."""

    def __init__(self, message: str, *, corpus: str) -> None:
        super().__init__(message)
        self.corpus = corpus


class MetadataError(VqaError, ValueError):
    """A metadata file is missing, empty or not in the corpus's published format."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class DatasetNotFoundError(VqaError, FileNotFoundError):
    """The dataset root or its clips directory does not exist."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class StateError(VqaError):
    """The resume state beside an output cannot be used for this run."""


class OutputLockedError(StateError):
    """Another process holds the output's lock (exit 5: wait for it, or choose another output).

    ``output`` is the output asked for; ``pid`` the holder's process id when it could be read.
    """

    exit_code = ExitCode.LOCKED

    def __init__(self, message: str, *, output: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.output = output
        self.pid = pid


class OutputError(VqaError, OSError):
    """An output cannot be written (bad suffix, no space, permission)."""


class DownloadError(VqaError, OSError):
    """A download failed; ``transient`` says whether a retry may help.

    ``reason`` is the verdict an ingest counts the clip under: ``download-failed``,
    ``download-stalled`` (nothing received for the stall limit; the partial file is
    kept for a resume) or ``unsafe-path`` (the destination leads outside its folder).
    Exit 4, a network problem, except ``unsafe-path``: that is bad input (exit 2).
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        transient: bool,
        status: int | None = None,
        reason: str = "download-failed",
    ):
        super().__init__(message)
        self.url = url
        self.transient = transient
        self.status = status
        self.reason = reason
        self.exit_code = ExitCode.USAGE if reason == "unsafe-path" else ExitCode.NETWORK


class DownloadsRemainError(VqaError):
    """A run finished and wrote its output, but some downloads still failed (exit 4).

    ``counts`` holds the clips per download reason (``download-failed``, ``download-stalled``).
    """

    exit_code = ExitCode.NETWORK

    def __init__(self, message: str, *, counts: dict[str, int]) -> None:
        super().__init__(message)
        self.counts = counts


class ShardError(VqaError, ValueError):
    """A shard given to aggregate or merge is missing, not JSON, or lacks a column."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class LabelError(VqaError, ValueError):
    """MOS labels cannot be joined: conflicting duplicates, poor coverage, an ambiguous scale."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key


class TrainingError(VqaError, ValueError):
    """A training table cannot train a model (no usable rows, too few for the folds)."""


class CheckFailedError(VqaError):
    """A command ran to the end, wrote its result, and a check it makes said no (exit 3).

    Not bad input: the command did its job, and its answer is "no", so a script can tell
    it from a usage error.
    """

    exit_code = ExitCode.CHECK_FAILED


class GateFailedError(CheckFailedError):
    """A trained model missed the quality gate it was asked to meet (``--gate``);
    ``failures`` names each metric that missed, ``sidecar`` holds the evidence."""

    def __init__(self, message: str, *, failures: tuple[str, ...], sidecar: str) -> None:
        super().__init__(message)
        self.failures = failures
        self.sidecar = sidecar


class MissingExtraError(VqaError, ImportError):
    """A command needs an optional dependency group that is not installed."""

    def __init__(self, message: str, *, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


class ExecutorError(VqaError):
    """Per-item work cannot run where it was sent (missing extra, unreachable scheduler, unlike workers)."""


class VerificationError(CheckFailedError):
    """A check ran to the end and found clips that are not what the shard describes
    (exit 3). ``counts`` holds clips per status.
    """

    def __init__(self, message: str, *, counts: dict[str, int]) -> None:
        super().__init__(message)
        self.counts = counts


class ExportError(VqaError, ValueError):
    """A table cannot be written in an export format (a path the format cannot hold, a split name clash)."""


class ClipDecodeError(VqaError, OSError):
    """A clip of a table could not be decoded into frames (missing, truncated, outside its root).

    ``path`` is the file that was opened; ``src`` and ``corpus`` its row's keys.
    """

    def __init__(
        self, message: str, *, path: str | None = None, corpus: str | None = None, src: str | None = None
    ) -> None:
        super().__init__(message)
        self.path = path
        self.corpus = corpus
        self.src = src
