"""What ``vqa corpora list`` and ``vqa corpora info`` show, as plain data."""

from __future__ import annotations

from typing import Any

from vqa_core.registry import PluginInfo, RegisteredCorpus, Registry

__all__ = ["LIST_FIELDS", "corpus_entries", "corpus_info"]

#: Keys of every entry of ``vqa corpora list --json``, in table order.
LIST_FIELDS = (
    "id",
    "distribution",
    "version",
    "edition",
    "scale",
    "clips",
    "licence",
    "status",
    "error",
)


def _corpus_entry(corpus: RegisteredCorpus) -> dict[str, Any]:
    decl = corpus.declaration
    return {
        "id": decl.id,
        "distribution": corpus.plugin.name,
        "version": corpus.plugin.version,
        "edition": decl.version,
        "scale": decl.scale.name,
        "scale_lo": decl.scale.lo if decl.has_labels else None,
        "scale_hi": decl.scale.hi if decl.has_labels else None,
        "label_kind": decl.scale.kind,
        "clips": decl.expected_clips,
        "licence": decl.licence,
        "licence_url": decl.licence_url,
        "access": decl.access,
        # "failed" once a hook of its plugin raised in this process; the corpus stays usable
        "status": corpus.plugin.status,
        "error": corpus.plugin.error,
        "hooks": list(corpus.plugin.hooks),
    }


def _plugin_entry(plugin: PluginInfo) -> dict[str, Any]:
    entry: dict[str, Any] = dict.fromkeys(LIST_FIELDS)
    entry.update(
        distribution=plugin.name,
        version=plugin.version,
        status=plugin.status,
        error=plugin.error,
        hooks=list(plugin.hooks),
    )
    return entry


def corpus_entries(registry: Registry, *, include_builtins: bool = False) -> list[dict[str, Any]]:
    """Usable corpora (``ok`` or ``failed``) sorted by id, then broken and disabled plugins by name."""
    entries = [_corpus_entry(c) for c in registry.corpora]
    for plugin in registry.plugins:
        if plugin.status in ("broken", "disabled") or (include_builtins and plugin.status == "builtin"):
            entries.append(_plugin_entry(plugin))
    return entries


def corpus_info(registry: Registry, corpus_id: str) -> dict[str, Any]:
    """Everything a user needs to know before obtaining and using one corpus."""
    corpus = registry.corpus(corpus_id)
    decl = corpus.declaration
    info = _corpus_entry(corpus)
    info.update(
        title=decl.title,
        citation=decl.citation,
        homepage=decl.homepage,
        access_instructions=decl.access_instructions,
        editions=[
            {"name": e.name, "metadata": e.metadata, "rows": e.rows, "note": e.note} for e in decl.editions
        ],
        default_metadata=list(decl.default_metadata),
        default_clips_dir=decl.default_clips_dir,
        downloads=decl.downloads,
        download_hosts=list(decl.download_hosts),
        extension_columns=[{"name": f.name, "type": str(f.type)} for f in corpus.extension],
        notes=decl.notes,
        content_groups=decl.content_groups,
        splits=list(decl.splits),
        api=corpus.plugin.api,
    )
    return info


def corpora_markdown(registry: Registry) -> str:
    """``docs/corpora.md``: one section per corpus from its declaration (generated; see tests)."""
    lines = [
        "# Corpora",
        "",
        "Generated from the plugins' declarations by `python -m vqa_core.listing > docs/corpora.md`;",
        "a test fails when this page and the declarations disagree. `vqa corpora info ID` prints",
        "the same facts for what is installed.",
        "",
        "| id | distribution | stored scale | clips | licence | access |",
        "|---|---|---|---:|---|---|",
    ]
    for corpus in registry.corpora:
        decl = corpus.declaration
        clips = f"{decl.expected_clips:,}" if decl.expected_clips else "-"
        lines.append(
            f"| [{decl.id}](#{decl.id}) | {corpus.plugin.name} | {decl.scale.name} | {clips} | "
            f"[{decl.licence}]({decl.licence_url}) | {decl.access} |"
        )
    for corpus in registry.corpora:
        decl = corpus.declaration
        lines += [
            "",
            f"## {decl.id}",
            "",
            f"**{decl.title}** — edition `{decl.version}`, plugin `{corpus.plugin.name}`.",
            "",
            f"- Licence: [{decl.licence}]({decl.licence_url})",
            f"- Citation: {decl.citation}",
            f"- Homepage: <{decl.homepage}>",
            f"- Access ({decl.access}): {decl.access_instructions}",
            f"- Stored `mos` scale: {decl.scale.name} ({decl.scale.kind})",
        ]
        if decl.default_metadata:
            lines.append(
                f"- Metadata looked for under `--root`: {', '.join(f'`{m}`' for m in decl.default_metadata)}"
            )
        lines.append(f"- Clips folder under `--root`: `{decl.default_clips_dir or '.'}`")
        if decl.download_hosts:
            hosts = ", ".join(f"`{h}`" for h in decl.download_hosts)
            lines.append(f"- Download hosts (metadata URLs elsewhere need `--allow-host`): {hosts}")
        if corpus.extension:
            cols = ", ".join(f"`{f.name}` ({f.type})" for f in corpus.extension)
            lines.append(f"- Extension columns: {cols}")
        lines.append(f"- Content groups: {_groups_text(decl.content_groups)}")
        splits = ", ".join(f"`{name}`" for name in decl.splits)
        lines.append(f"- Published splits: {splits or 'none'}")
        if decl.editions:
            lines.append("- Known editions (data rows per metadata file):")
            for edition in decl.editions:
                note = f" — {edition.note}" if edition.note else ""
                lines.append(f"  - `{edition.metadata}`: {edition.rows:,} rows, `{edition.name}`{note}")
        if decl.notes:
            lines.append(f"- Note: {decl.notes}")
    return "\n".join(lines) + "\n"


def _groups_text(content_groups: str) -> str:
    return content_groups or "none declared: every clip is its own content"


def first_party_registry() -> Registry:
    """The repository's own plugins, loaded from their modules (no entry points needed)."""
    import importlib

    from vqa_core.catalogue import FIRST_PARTY_DISTRIBUTIONS

    distributions = sorted(set(FIRST_PARTY_DISTRIBUTIONS.values()))
    return Registry.from_plugins(
        [(d, importlib.import_module(d.replace("-", "_"))) for d in distributions], strict=True
    )


if __name__ == "__main__":
    print(corpora_markdown(first_party_registry()), end="")
