"""``python -m vqa_core``: the ``vqa`` command."""

from vqa_core.cli import run

run()
