"""Evaluation of MOS predictors: agreement metrics and their bootstrap intervals.

:mod:`vqa_core.evaluation.metrics` holds PLCC (linear and after the VQEG
four-parameter logistic), SROCC, KROCC and RMSE, and :func:`~vqa_core.evaluation.metrics.evaluate`,
which adds percentile-bootstrap intervals over clips or over content groups.
Importing this package imports neither numpy nor scipy: they load inside the
functions that use them, so ``vqa --help`` stays light.
"""
