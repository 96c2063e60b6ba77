"""Discovery and isolation of corpus plugins.

The registry finds plugins through the ``vqa.corpora`` entry-point group and
loads each one on its own: a plugin that fails to import, supports another
contract version, implements an unknown hook, or declares an invalid corpus is
recorded as ``broken`` with its error and unregistered; the others keep
working. ``--strict`` (or ``VQA_STRICT_PLUGINS=1``) makes any broken plugin
fatal. ``VQA_DISABLE_PLUGINS`` skips distributions by name and
``VQA_LOAD_PLUGINS`` loads only the named ones (empty = none).

A plugin that raises at call time — in a per-corpus hook or while vqa consumes
the rows it returned — is reported as :class:`PluginCallError` naming the
distribution, the hook and the last row it yielded, and is marked ``failed``
(its corpora stay usable) so a later listing in the same process shows the error.

Corpora are kept sorted by id; per-corpus hooks are called on the declaring
plugin and core's built-ins only, and per-schema hooks on the plugin that declared
the feature schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeAlias, TypeVar

import attrs
import pluggy

from vqa_core import env, hookspecs
from vqa_core.builtins import DEFAULT_PLUGINS
from vqa_core.catalogue import FIRST_PARTY_DISTRIBUTIONS, SCHEMA_DISTRIBUTIONS, install_hint
from vqa_core.declarations import CorpusDeclaration
from vqa_core.errors import (
    PluginCallError,
    PluginError,
    PluginLoadError,
    UnknownCorpusError,
    UsageError,
    VqaError,
)
from vqa_core.schema import BASE_FIELDS, GROUPING_FIELDS, SHARED_EXTENSION_COLUMNS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from vqa_core.featureschema import FeatureSchema
    from vqa_core.scales import ScaleConversion
    from vqa_core.schema import RowRejection
    from vqa_core.sources import GridSettings, SampleDrop, SourceRows, SourceSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "RegisteredCorpus",
    "RegisteredSchema",
    "Registry",
    "PluginStatus",
    "Plugins",
    "load_plugins",
]

ENTRY_POINT_GROUP: Final = hookspecs.ENTRY_POINT_GROUP

#: ``broken``: unusable since loading (unregistered); ``failed``: loaded, but a hook raised at
#: call time in this process (its corpora stay registered).
PluginStatus = Literal["ok", "broken", "failed", "disabled", "builtin"]

#: Exceptions a hook call lets through untouched: what a plugin raises on purpose, and what no
#: plugin can be blamed for. ``KeyboardInterrupt`` and ``SystemExit`` are not ``Exception``s.
_PASS_THROUGH: Final = (VqaError, MemoryError)

_T = TypeVar("_T")


@attrs.frozen
class PluginInfo:
    """What the registry knows about one plugin, healthy or not."""

    name: str
    version: str | None
    status: PluginStatus
    entry_point: str | None = None
    error: str | None = None
    corpora: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()
    api: str | None = None
    feature_schemas: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class RegisteredCorpus:
    """A validated declaration, the plugin that made it, and its extension columns."""

    declaration: CorpusDeclaration
    plugin: PluginInfo
    extension: tuple[Any, ...] = ()  # pyarrow.Field objects
    #: Extension columns that identify a clip (``vqa_label_key_columns``).
    label_keys: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.declaration.id


@attrs.frozen
class RegisteredSchema:
    """A validated feature schema and the plugin that declared it."""

    schema: FeatureSchema
    plugin: PluginInfo

    @property
    def name(self) -> str:
        return self.schema.name


@attrs.frozen
class _Candidate:
    """A plugin waiting to load: a loader and the metadata of its distribution."""

    name: str
    version: str | None
    entry_point: str | None
    load: Callable[[], object]


class Registry:
    """The loaded plugins and the corpora they declare."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self._builtins: list[object] = []
        self._plugins: list[PluginInfo] = []
        self._corpora: dict[str, RegisteredCorpus] = {}
        self._owner: dict[str, object] = {}
        self._schemas: dict[str, RegisteredSchema] = {}
        self._schema_owner: dict[str, object] = {}
        #: Whether only the corpus declarations were asked for (:meth:`discover`).
        self._declarations_only = False
        for name, plugin in DEFAULT_PLUGINS:
            self.pm.register(plugin, name=name)
            self._builtins.append(plugin)
            self._plugins.append(
                PluginInfo(name=name, version=None, status="builtin", hooks=self._hooks_of(plugin))
            )

    # -- construction -----------------------------------------------------

    @classmethod
    def discover(cls, *, strict: bool | None = None, declarations_only: bool = False) -> Registry:
        """Load every installed plugin of the ``vqa.corpora`` group.

        ``declarations_only=True`` loads each plugin and checks its contract version, hooks
        and corpus declarations, but does not ask for what its tables hold (extension and
        label-key columns, feature schemas), nor check it: those are pyarrow fields and
        training schemas, and importing them would be most of the cost of ``vqa corpora
        list``, which shows none of them. Such a registry lists corpora and refuses the
        rest.
        """
        registry = cls()
        registry._declarations_only = declarations_only
        registry._load_all(_installed_candidates())
        registry._finish(strict)
        return registry

    @classmethod
    def for_distributions(cls, names: Iterable[str], *, strict: bool | None = False) -> Registry:
        """Load only the ``vqa.corpora`` entry points of the named distributions (for the kit)."""
        wanted = {env.normalise_name(n) for n in names}
        registry = cls()
        registry._load_all(c for c in _installed_candidates() if env.normalise_name(c.name) in wanted)
        registry._finish(strict)
        return registry

    @classmethod
    def from_plugins(cls, plugins: Iterable[tuple[str, object]], *, strict: bool | None = False) -> Registry:
        """A registry of the given ``(name, plugin)`` pairs only, for tests and the kit."""
        registry = cls()
        registry._load_all(
            _Candidate(name=name, version=None, entry_point=None, load=_constant(obj))
            for name, obj in plugins
        )
        registry._finish(strict)
        return registry

    def _finish(self, strict: bool | None) -> None:
        if strict is None:
            strict = env.flag(env.STRICT_PLUGINS)
        if strict:
            self.raise_if_broken()

    def raise_if_broken(self) -> None:
        broken = self.broken
        if broken:
            first = broken[0]
            more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
            raise PluginLoadError(
                f"plugin {first.name} is broken: {first.error}{more}", distribution=first.name
            )

    def _load_all(self, candidates: Iterable[_Candidate]) -> None:
        allow = env.name_list(env.LOAD_PLUGINS)
        deny = env.name_list(env.DISABLE_PLUGINS) or frozenset()
        seen: set[tuple[str, str | None]] = set()
        # First-party distributions load first, so a third party re-declaring one of their ids is
        # the one reported broken; the rest load in name order, so the outcome never depends on
        # the order distributions happen to be found in.
        first_party = set(FIRST_PARTY_DISTRIBUTIONS.values())

        def order(c: _Candidate) -> tuple[bool, str, str]:
            name = env.normalise_name(c.name)
            return (name not in first_party, name, c.entry_point or "")

        for cand in sorted(candidates, key=order):
            key = env.normalise_name(cand.name)
            if (allow is not None and key not in allow) or key in deny:
                self._plugins.append(PluginInfo(cand.name, cand.version, "disabled", cand.entry_point))
                continue
            if (key, cand.entry_point) in seen:
                continue  # the same distribution found twice on sys.path: first one wins
            seen.add((key, cand.entry_point))
            self._load_one(cand)

    def _load_one(self, cand: _Candidate) -> None:
        def broken(message: str, plugin: object | None = None) -> None:
            if plugin is not None and self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._plugins.append(
                PluginInfo(cand.name, cand.version, "broken", cand.entry_point, error=message)
            )

        try:
            plugin = cand.load()
        # why: importing third-party code can raise anything (even SystemExit);
        # one plugin's failure must be reported, not take the host down.
        except (Exception, SystemExit) as exc:
            broken(f"import failed: {type(exc).__name__}: {_one_line(exc)}")
            return

        api = getattr(plugin, "vqa_plugin_api", None)
        api_problem = _check_api(api)
        if api_problem:
            broken(api_problem)
            return

        try:
            self.pm.register(plugin, name=_registration_name(cand))
            # why: a misspelled hook name would otherwise be dead code that passes every test
            self.pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as exc:
            broken(f"invalid hooks: {_one_line(exc)}", plugin)
            return

        try:
            declared = self._declarations_of(plugin)
            schemas = [] if self._declarations_only else self._schemas_of(plugin)
        except (Exception, SystemExit) as exc:  # why: a plugin's own hook code may raise anything
            broken(f"declaration failed: {type(exc).__name__}: {_one_line(exc)}", plugin)
            return
        info = PluginInfo(
            cand.name,
            cand.version,
            "ok",
            cand.entry_point,
            corpora=tuple(sorted(d.declaration.id for d in declared)),
            hooks=self._hooks_of(plugin),
            api=str(api),
            feature_schemas=tuple(s.name for s in schemas),
        )
        problems = self._problems_with(declared) + self._schema_problems(schemas, info.hooks)
        if problems:
            broken("; ".join(problems), plugin)
            return
        for corpus in declared:
            self._corpora[corpus.id] = attrs.evolve(corpus, plugin=info)
            self._owner[corpus.id] = plugin
        for schema in schemas:
            self._schemas[schema.name] = RegisteredSchema(schema, info)
            self._schema_owner[schema.name] = plugin
        self._plugins.append(info)

    def _declarations_of(self, plugin: object) -> list[RegisteredCorpus]:
        collected: list[object] = []
        self._only(plugin, "vqa_register_corpora")(register=collected.append)
        placeholder = PluginInfo(name="", version=None, status="ok")
        declared: list[RegisteredCorpus] = []
        for index, decl in enumerate(collected):
            if not isinstance(decl, CorpusDeclaration):
                raise PluginError(
                    f"register() argument {index} is {type(decl).__name__}, not CorpusDeclaration"
                )
            if self._declarations_only:
                declared.append(RegisteredCorpus(decl, placeholder))
                continue
            results = self._only(plugin, "vqa_schema_extension")(corpus=decl)
            fields = tuple(f for result in results if result for f in result)
            keys = self._only(plugin, "vqa_label_key_columns")(corpus=decl)
            label_keys = tuple(k for result in keys if result for k in result)
            declared.append(RegisteredCorpus(decl, placeholder, fields, label_keys))
        return declared

    def _schemas_of(self, plugin: object) -> list[FeatureSchema]:
        from vqa_core.featureschema import FeatureSchema

        results = self._only(plugin, "vqa_feature_schemas")()
        schemas = [s for result in results if result for s in result]
        for index, schema in enumerate(schemas):
            if not isinstance(schema, FeatureSchema):
                raise PluginError(
                    f"vqa_feature_schemas item {index} is {type(schema).__name__}, not FeatureSchema"
                )
        return schemas

    def _schema_problems(self, schemas: Sequence[FeatureSchema], hooks: Sequence[str]) -> list[str]:
        if not schemas:
            return []  # nothing to check, and no need to import the training package
        from vqa_core.train.schema_checks import schema_problems

        taken = {name: info.plugin.name for name, info in self._schemas.items()}
        return schema_problems(schemas, taken, hooks)

    def _problems_with(self, declared: Sequence[RegisteredCorpus]) -> list[str]:
        problems: list[str] = []
        ids: set[str] = set()
        for corpus in declared:
            cid = corpus.id
            if cid in ids:
                problems.append(f"corpus id {cid!r} is declared twice by this plugin")
            ids.add(cid)
            if cid in self._corpora:
                other = self._corpora[cid].plugin
                problems.append(
                    f"corpus id {cid!r} is already declared by {other.name}"
                    + (f" {other.version}" if other.version else "")
                )
            prefix = corpus.declaration.column_prefix
            names: set[str] = set()
            for field in corpus.extension:
                import pyarrow as pa  # why here: a registry of declarations only never needs it

                if not isinstance(field, pa.Field):
                    problems.append(f"{cid}: extension item {field!r} is not a pyarrow.Field")
                    continue
                name = field.name
                if name in BASE_FIELDS or name in GROUPING_FIELDS:
                    problems.append(f"{cid}: extension column {name!r} collides with the base schema")
                elif name in SHARED_EXTENSION_COLUMNS:
                    if field.type != pa.type_for_alias(SHARED_EXTENSION_COLUMNS[name]):
                        problems.append(
                            f"{cid}: shared column {name!r} must be {SHARED_EXTENSION_COLUMNS[name]}, "
                            f"not {field.type}"
                        )
                elif not prefix or not name.startswith(prefix) or name == prefix:
                    hint = f"start with {prefix!r}" if prefix else "have a column_prefix declared"
                    problems.append(f"{cid}: extension column {name!r} must {hint}")
                if name in names:
                    problems.append(f"{cid}: extension column {name!r} is declared twice")
                names.add(name)
            problems += [
                f"{cid}: label key column {key!r} is not one of its extension columns"
                for key in corpus.label_keys
                if key not in names
            ]
        return problems

    # -- queries ----------------------------------------------------------

    @property
    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen, built-ins first, then by name."""
        return sorted(self._plugins, key=lambda p: (p.status != "builtin", env.normalise_name(p.name)))

    @property
    def broken(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.status == "broken"]

    @property
    def corpora(self) -> list[RegisteredCorpus]:
        """Healthy corpora, sorted by id."""
        return [self._corpora[k] for k in sorted(self._corpora)]

    def corpus(self, corpus_id: str) -> RegisteredCorpus:
        """The registered corpus ``corpus_id``; :class:`UnknownCorpusError` naming what to install."""
        try:
            return self._corpora[corpus_id]
        except KeyError:
            raise UnknownCorpusError(self._unknown_message(corpus_id), corpus=corpus_id) from None

    def _unknown_message(self, corpus_id: str) -> str:
        dist = FIRST_PARTY_DISTRIBUTIONS.get(corpus_id)
        if dist:
            return f"corpus {corpus_id!r}" + self._not_installed(dist, corpus_id)
        close = [c for c in self._corpora if c.startswith(corpus_id[:3])]
        suggestion = f" (did you mean {', '.join(close)}?)" if close else ""
        known = ", ".join(sorted(self._corpora)) or "none"
        return f"no installed plugin provides corpus {corpus_id!r}{suggestion}; installed: {known}"

    def _not_installed(self, dist: str, name: str) -> str:
        """Why the first-party ``dist`` that provides ``name`` does not: broken, disabled or absent."""
        for plugin in self._plugins:
            if env.normalise_name(plugin.name) == dist and plugin.status in ("broken", "disabled"):
                why = (
                    f": {plugin.error}"
                    if plugin.error
                    else f" (skipped by {env.DISABLE_PLUGINS}/{env.LOAD_PLUGINS})"
                )
                return f": plugin {dist} is installed but {plugin.status}{why}"
        return f" is not installed; {install_hint(name)}"

    @property
    def feature_schemas(self) -> list[RegisteredSchema]:
        """The feature schemas healthy plugins declared, in loading order."""
        self._require_everything()
        return list(self._schemas.values())

    def feature_schema(self, name: str) -> RegisteredSchema:
        """The plugin schema ``name``; a :class:`UsageError` naming what to install, or what exists."""
        self._require_everything()
        if name in self._schemas:
            return self._schemas[name]
        dist = SCHEMA_DISTRIBUTIONS.get(name)
        if dist:
            raise UsageError(f"feature schema {name!r}" + self._not_installed(dist, name))
        from vqa_core.train.schemas import CORE_SCHEMAS

        known = ", ".join([*CORE_SCHEMAS, *self._schemas])
        raise UsageError(f"unknown feature schema {name!r}; use one of {known}")

    def label_key_columns(self) -> tuple[str, ...]:
        """The clip-identifying columns every healthy corpus names (corpora by id), each once."""
        self._require_everything()
        return tuple(dict.fromkeys(key for corpus in self.corpora for key in corpus.label_keys))

    # -- per-corpus hook calls -----------------------------------------------

    def _only(self, plugin: object, hook: str) -> Any:
        keep = {id(plugin), *(id(b) for b in self._builtins)}
        others = [p for p in self.pm.get_plugins() if id(p) not in keep]
        return self.pm.subset_hook_caller(hook, remove_plugins=others)

    def _call(self, corpus_id: str, hook: str, **kwargs: Any) -> Any:
        """The owner's ``hook`` for ``corpus_id``; an unexpected exception becomes :class:`PluginCallError`."""
        corpus = self.corpus(corpus_id)
        caller = self._only(self._owner[corpus_id], hook)
        try:
            return caller(corpus=corpus.declaration, **kwargs)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            if self._raised_by_builtin(exc, hook):
                raise  # core's own fallback failed: a vqa bug, reported as an internal error
            raise self._failure(corpus_id, hook, exc, origin=None) from exc

    def _rows(self, corpus_id: str, hook: str, rows: Iterable[_T]) -> Iterator[_T]:
        """``rows`` consumed through a guard that blames the plugin for what its iterator raises."""
        return _PluginRows(rows, lambda exc, origin: self._failure(corpus_id, hook, exc, origin))

    def _raised_by_builtin(self, exc: BaseException, hook: str) -> bool:
        """Whether the traceback passes through one of core's built-in implementations of ``hook``."""
        codes = {
            getattr(impl.function, "__code__", None)
            for impl in getattr(self.pm.hook, hook).get_hookimpls()
            if any(impl.plugin is b for b in self._builtins)
        }
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code in codes:
                return True
            tb = tb.tb_next
        return False

    def _failure(self, corpus_id: str, hook: str, exc: BaseException, origin: str | None) -> PluginCallError:
        """The one-line error for ``exc`` raised by the owner of ``corpus_id``; marks the plugin failed."""
        owner, info = self._owner[corpus_id], self.corpus(corpus_id).plugin
        return self._blame(owner, info, hook, corpus_id, exc, origin, corpus=corpus_id)

    def _blame(
        self,
        owner: object,
        plugin: PluginInfo,
        hook: str,
        subject: str,
        exc: BaseException,
        origin: str | None,
        *,
        corpus: str | None = None,
        feature_schema: str | None = None,
    ) -> PluginCallError:
        """The one-line error for ``exc`` raised by ``owner``'s ``hook`` for ``subject`` (a corpus id
        or a feature schema); marks the plugin failed."""
        where = f" {origin}" if origin else ""
        detail = _one_line(exc)
        detail = f"{type(exc).__name__}: {detail}" if detail != type(exc).__name__ else detail
        what = f"{hook} for {subject}{where}: {detail}"
        if isinstance(exc, OSError):
            hint = "check the files it reads; if they are fine, report it to the plugin's authors"
        else:
            hint = "a bug in the plugin; report it to its authors"
        label = f"{plugin.name} {plugin.version}" if plugin.version else plugin.name
        self._mark_failed(owner, plugin, f"{hook} failed for {subject}{where}: {detail}")
        return PluginCallError(
            f"plugin {label} failed in {what} ({hint}; {env.DEBUG}=1 shows the traceback)",
            distribution=plugin.name,
            version=plugin.version,
            hook=hook,
            corpus=corpus,
            feature_schema=feature_schema,
            origin=origin,
        )

    def _mark_failed(self, owner: object, old: PluginInfo, error: str) -> None:
        """Record ``error`` as the owner's latest call-time failure, on the plugin, its corpora and
        its feature schemas."""
        new = attrs.evolve(old, status="failed", error=error)
        self._plugins = [new if p is old else p for p in self._plugins]
        for cid, corpus in self._corpora.items():
            if self._owner[cid] is owner:
                self._corpora[cid] = attrs.evolve(corpus, plugin=new)
        for name, schema in self._schemas.items():
            if self._schema_owner[name] is owner:
                self._schemas[name] = attrs.evolve(schema, plugin=new)

    def source_rows(self, corpus_id: str, source: SourceSpec) -> SourceRows:
        """The owner's ``vqa_source_rows``, its ``rows`` guarded like the call itself."""
        from vqa_core.sources import SourceRows

        result = self._call(corpus_id, "vqa_source_rows", source=source)
        owner = self.corpus(corpus_id).plugin.name
        if result is None:
            raise PluginError(
                f"plugin {owner} declares {corpus_id!r} but returned no source rows", distribution=owner
            )
        if not isinstance(result, SourceRows):
            raise PluginError(
                f"plugin {owner} returned {type(result).__name__} from vqa_source_rows, not SourceRows",
                distribution=owner,
            )
        return attrs.evolve(result, rows=self._rows(corpus_id, "vqa_source_rows", result.rows))

    def encode_grid_rows(
        self, corpus_id: str, source: SourceSpec, settings: GridSettings
    ) -> Iterable[Mapping[str, Any] | RowRejection]:
        """The owner's ``vqa_encode_grid_rows`` for a label-less corpus; :class:`PluginError` if none."""
        result = self._call(corpus_id, "vqa_encode_grid_rows", source=source, settings=settings)
        if result is None:
            owner = self.corpus(corpus_id).plugin.name
            raise PluginError(
                f"plugin {owner} declares {corpus_id!r} but returned no encode-grid rows", distribution=owner
            )
        return self._rows(corpus_id, "vqa_encode_grid_rows", result)

    def scale_conversion(self, corpus_id: str) -> ScaleConversion | None:
        return self._call(corpus_id, "vqa_scale_conversion")  # type: ignore[no-any-return]

    def write_sample(
        self, corpus_id: str, directory: Path, clips: int, seed: int, bad_rows: int = 0
    ) -> SampleDrop:
        result = self._call(
            corpus_id, "vqa_write_sample", directory=directory, clips=clips, seed=seed, bad_rows=bad_rows
        )
        if result is None:
            raise PluginError(
                f"plugin {self.corpus(corpus_id).plugin.name} cannot write a sample of {corpus_id!r}",
                distribution=self.corpus(corpus_id).plugin.name,
            )
        return result  # type: ignore[no-any-return]

    # -- per-schema hook calls -----------------------------------------------

    def _call_schema(self, name: str, hook: str, **kwargs: Any) -> Any:
        """The declaring plugin's ``hook`` for schema ``name``; an unexpected exception becomes
        :class:`PluginCallError`."""
        found = self.feature_schema(name)
        owner = self._schema_owner[name]
        try:
            return self._only(owner, hook)(schema=found.schema, **kwargs)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            raise self._blame(owner, found.plugin, hook, name, exc, None, feature_schema=name) from exc

    def derive_features(self, name: str, table: pa.Table) -> dict[str, npt.NDArray[np.float64]]:
        """The declaring plugin's ``vqa_derive_features`` for schema ``name``, checked."""
        from vqa_core.train.schema_checks import checked_derived

        result = self._call_schema(name, "vqa_derive_features", table=table)
        found = self.feature_schema(name)
        return checked_derived(found.schema, found.plugin.name, result, table.num_rows)

    def display_profile(self, name: str, document: Mapping[str, Any]) -> dict[str, float]:
        """The declaring plugin's ``vqa_display_profile`` for schema ``name``, checked."""
        from vqa_core.train.schema_checks import checked_display

        result = self._call_schema(name, "vqa_display_profile", document=document)
        found = self.feature_schema(name)
        return checked_display(found.schema, found.plugin.name, result)

    def arrow_schema(self, corpus_id: str) -> pa.Schema:
        from vqa_core.schema import corpus_arrow_schema

        self._require_everything()
        corpus = self.corpus(corpus_id)
        return corpus_arrow_schema(corpus.declaration, corpus.extension)

    def versions(self) -> dict[str, str | None]:
        """Distribution versions of core and every healthy plugin, for manifests."""
        from vqa_core import __version__

        out: dict[str, str | None] = {"vqa-core": __version__}
        for plugin in self.plugins:
            if plugin.status in ("ok", "failed"):
                out[plugin.name] = plugin.version
        return out

    def _require_everything(self) -> None:
        if self._declarations_only:  # a caller's mistake, never the user's
            raise RuntimeError(
                "this registry holds declarations only (Registry.discover(declarations_only=True))"
            )

    def _hooks_of(self, plugin: object) -> tuple[str, ...]:
        return tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or ()))


#: Where a command that only sometimes needs plugins gets them: a registry, a function that
#: loads one when first needed (the CLI's, so ``--strict`` applies), or ``None`` for the
#: installed plugins (:meth:`Registry.discover`).
Plugins: TypeAlias = "Registry | Callable[[], Registry] | None"


def load_plugins(plugins: Plugins) -> Registry:
    """The registry ``plugins`` stands for, loading it now if it is a loader or ``None``."""
    if plugins is None:
        return Registry.discover()
    if isinstance(plugins, Registry):
        return plugins
    return plugins()


class _PluginRows(Iterator[_T], Generic[_T]):
    """A plugin's lazy rows; what its iterator raises becomes the error ``fail`` builds.

    Remembers the origin of the last row yielded (``file:line`` for source rows and
    rejections; the row number and ``src`` for a mapping) to say where the plugin was.
    """

    def __init__(self, rows: Iterable[_T], fail: Callable[[BaseException, str], PluginCallError]) -> None:
        self._rows = rows
        self._iterator: Iterator[_T] | None = None
        self._fail = fail
        self._count = 0
        self._last: str | None = None

    def __iter__(self) -> Iterator[_T]:
        return self

    def __next__(self) -> _T:
        try:
            if self._iterator is None:
                self._iterator = iter(self._rows)
            item = next(self._iterator)
        except StopIteration:
            raise
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            where = f"after {self._last}" if self._last else "before the first row"
            raise self._fail(exc, where) from exc
        self._count += 1
        self._last = _origin_of(item, self._count)
        return item


def _origin_of(item: object, number: int) -> str:
    """Where a yielded row came from, as the user can find it."""
    origin = getattr(item, "origin", None)
    if origin is not None:
        return str(origin)
    src = item.get("src") if isinstance(item, Mapping) else None
    return f"row {number} (src {src})" if src else f"row {number}"


def _constant(obj: object) -> Callable[[], object]:
    return lambda: obj


def _registration_name(cand: _Candidate) -> str:
    return f"{cand.name}:{cand.entry_point}" if cand.entry_point else cand.name


def _installed_candidates() -> list[_Candidate]:
    from vqa_core.installed import name_and_version, plugin_entry_points

    candidates = []
    for ep in plugin_entry_points(ENTRY_POINT_GROUP):
        name, version = name_and_version(ep.dist) if ep.dist is not None else (ep.module, None)
        candidates.append(
            _Candidate(name=name, version=version, entry_point=f"{ep.name} = {ep.value}", load=ep.load)
        )
    return candidates


def _check_api(api: object) -> str | None:
    """Why a plugin's ``vqa_plugin_api`` does not admit this contract, or ``None``."""
    from vqa_core.apiversion import admits

    current = hookspecs.PLUGIN_API_VERSION
    if api is None:
        return f'declares no vqa_plugin_api; add vqa_plugin_api = ">=1,<2" (this vqa-core speaks {current})'
    try:
        admitted = admits(str(api), current)
    except ValueError:
        return f"vqa_plugin_api {api!r} is not a version specifier such as '>=1,<2'"
    if not admitted:
        return (
            f"needs plugin API {api}, but this vqa-core provides {current}; "
            "install a plugin release built for it or a vqa-core release it supports"
        )
    return None


def _one_line(exc: BaseException) -> str:
    # attrs validators raise ValueError(message, attribute, ...): the message is the useful part
    text = exc.args[0] if len(exc.args) > 1 and isinstance(exc.args[0], str) else str(exc)
    return re.sub(r"\s+", " ", text).strip() or type(exc).__name__
