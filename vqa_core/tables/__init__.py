"""Row tables on disk: which suffix means which format, and the two ways vqa reads tables.

* :mod:`~vqa_core.tables.shards`: tables whose columns a schema fixes (corpus shards, the
  unified table). Read column by column with the caller's Arrow schema; a value of the wrong
  type is reported at its ``file:line``.
* :mod:`~vqa_core.tables.loose`: tables a person brings (features, labels, predictions) in
  CSV, JSON, JSONL or Parquet. Types come from the file; the caller only names the key
  columns that must be read as exact text.

Both share :mod:`~vqa_core.tables.formats` (suffix to format) and write through
:mod:`~vqa_core.tables.wire` (one JSONL writer, one Parquet codec).
"""
