"""A plugin's ``vqa_plugin_api`` is decided as packaging decides it, without packaging when it is plain."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from vqa_core.apiversion import admits

releases = st.lists(st.integers(0, 12), min_size=1, max_size=4).map(lambda p: ".".join(map(str, p)))
clauses = st.tuples(st.sampled_from([">=", "<=", ">", "<", "==", "!=", " >= ", "<  "]), releases).map("".join)
plain = st.lists(clauses, min_size=1, max_size=3).map(",".join)


@given(plain, releases)
def test_plain_specifiers_are_decided_as_packaging_decides(specifier: str, version: str) -> None:
    assert admits(specifier, version) == (version in SpecifierSet(specifier))


@pytest.mark.parametrize(
    ("specifier", "version", "expected"),
    [
        (">=1,<2", "1.2", True),
        (">=1.2,<2", "1.2", True),
        (">=1.3,<2", "1.2", False),
        ("==1.2", "1.2.0", True),
        ("!=1.2.0", "1.2", False),
        ("<2", "2.0", False),
        ("~=1.1", "1.2", True),  # not plain: packaging decides
        ("==1.*", "1.2", True),
        ("", "1.2", True),
        (">=1,", "1.2", True),
    ],
)
def test_examples(specifier: str, version: str, expected: bool) -> None:
    assert admits(specifier, version) is expected


@pytest.mark.parametrize("specifier", ["1.2", ">=one", ">=1,,<<2", "latest"])
def test_what_is_no_specifier_is_a_value_error(specifier: str) -> None:
    with pytest.raises(ValueError):
        admits(specifier, "1.2")


def test_a_plain_specifier_does_not_import_packaging() -> None:
    code = (
        "import sys\nfrom vqa_core.apiversion import admits\n"
        "assert admits('>=1,<2', '1.2')\nprint('packaging' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
