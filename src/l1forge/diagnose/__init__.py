"""Where, layer by layer, the firmware departs from Keras, why, and the hls4ml
configuration change that removes it (see stage.py)."""

from l1forge.diagnose.reconvert import hls4ml_reconverter
from l1forge.diagnose.result import Cause, Diagnosis, Finding, Fix, LayerDiagnosis
from l1forge.diagnose.stage import diagnose
from l1forge.diagnose.text import render as render_text

__all__ = ["Cause", "Diagnosis", "Finding", "Fix", "LayerDiagnosis", "diagnose", "hls4ml_reconverter", "render_text"]
