"""The conformance kit: checks a corpus plugin against the vqa contract.

Use it in either of two ways.

1. As a pytest plugin, on an installed distribution::

       pytest -p vqa_core.testing --vqa-plugin vqa-mycorpus

   The kit adds its checks to the run, one test per check and corpus.

2. From your own tests, by subclassing :class:`ConformanceSuite`::

       from vqa_core.testing import ConformanceSuite

       class TestConformance(ConformanceSuite):
           distribution = "vqa-mycorpus"     # or: plugins = [("mycorpus", my_module)]

What it checks, per corpus the plugin declares: the plugin loads and declares
a contract range (``vqa_plugin_api``) that admits this core; declarations are
valid, unique and free of template placeholders; the scale conversion is
monotone and maps the scale ends to 0 and 100; extension columns are
namespaced and of plain Arrow types; declaring the corpora imports none of
``av``, ``torch``, ``onnxruntime``; the sample drop ingests through the real
engine with every row valid against the corpus's Arrow schema; metadata
with bad lines yields counted rejections, not exceptions; a corpus that
declares ``content_groups`` keys every sample row with a content group and one
that does not keys none; and every split a sample row carries is declared,
with every row carrying one when the corpus declares splits. Each failure
message says what to fix.

To skip one check, override its method in your subclass with a
``pytest.mark.skip(reason=...)``-decorated one; say why in the reason.
"""

from __future__ import annotations

from vqa_core.testing.suite import ConformanceSuite

__all__ = ["ConformanceSuite", "pytest_addoption", "pytest_configure"]


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    group = parser.getgroup("vqa", "vqa corpus-plugin conformance kit")
    group.addoption(
        "--vqa-plugin",
        action="append",
        default=[],
        metavar="DIST",
        help="Run the conformance kit on this installed distribution (repeatable).",
    )


def pytest_configure(config):  # type: ignore[no-untyped-def]
    config.addinivalue_line("markers", "vqa_conformance: a check of the vqa plugin conformance kit")
    if config.getoption("--vqa-plugin"):
        from pathlib import Path

        # Collect the kit's own test module next to whatever the user asked for.
        config.args.append(str(Path(__file__).with_name("auto.py")))
