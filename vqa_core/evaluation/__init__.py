"""Evaluation of MOS predictors: leak-free splits, the field's protocols, agreement metrics.

* :mod:`~vqa_core.evaluation.splits` — grouped K-fold and holdout splits; a
  content group never sits on both sides (``vqa train mos-head`` uses them too).
* :mod:`~vqa_core.evaluation.protocols` — kfold, repeated-holdout, official and
  cross-corpus: which models to train and where to test each.
* :mod:`~vqa_core.evaluation.metrics` — PLCC (linear and after the VQEG
  four-parameter logistic), SROCC, KROCC and RMSE, and
  :func:`~vqa_core.evaluation.metrics.evaluate`, which adds percentile-bootstrap
  intervals over clips or over content groups.
* :mod:`~vqa_core.evaluation.run` and :mod:`~vqa_core.evaluation.render` — ``vqa evaluate``.

Importing this package imports neither numpy nor scipy: they load inside the
functions that use them, so ``vqa --help`` stays light.
"""
