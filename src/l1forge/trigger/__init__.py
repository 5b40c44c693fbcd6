"""The trigger stage: L1 rates, thresholds, efficiencies with their intervals, ROC and AUC.

Modules, in the order a study uses them:
- efficiency:     counts with their 68.3% Clopper-Pearson interval (the `Efficiency` object)
- rates:          thresholds for an L1 rate or background acceptance and what they achieve
- delong:         AUC with its DeLong error; the paired AUC difference of two scores
- bootstrap:      the threshold's own spread, re-derived on background replicas
- rate_tables:    anomaly-detection figures per signal and rate
- working_points: jet-ID figures per class and pair at background efficiencies
- plots, jet_plots: the figures, with their 68.3% bands
- jet_project, study: a built project's study, as `l1forge trigger` runs it
"""

from l1forge.trigger.efficiency import CL, Efficiency, clopper_pearson  # noqa: F401
from l1forge.trigger.rate_tables import (REFERENCE_FPR, add_bootstrap, auc, per_signal_metrics,  # noqa: F401
                                         rate_key, rate_table, reference_point)
from l1forge.trigger.rates import (Threshold, check_rate, efficiency, efficiency_at_rate,  # noqa: F401
                                   smallest_measurable_rate_hz, threshold_for_rate)
