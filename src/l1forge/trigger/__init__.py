"""Trigger figures of a score: L1 rates, thresholds, efficiencies with intervals, ROC and AUC."""

from l1forge.trigger.rate_tables import *  # noqa: F401,F403
from l1forge.trigger.rate_tables import (REFERENCE_FPR, Threshold, auc, check_rate, efficiency,  # noqa: F401
                                         efficiency_at_rate, per_signal_metrics, rate_key, rate_table,
                                         reference_point, smallest_measurable_rate_hz, threshold_for_rate)
