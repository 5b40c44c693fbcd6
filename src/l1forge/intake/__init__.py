"""Model intake: a user's trained model and the events to verify its firmware on.

    from l1forge.intake import load_source, events_from_file, synthetic_events, input_type
    source = load_source("model.h5")              # or model.json + weights=..., or an hls4ml YAML
    source.model, source.settings(), source.files  # Keras model, settings found, sha256 per file
    events = events_from_file("x.npy", source.input_shape)            # --data
    events = synthetic_events(input_type(graph), source.input_shape, 1000, seed=0)  # no data

Keras files are read by keras_files (QKeras quantizer objects revived by qkeras_objects),
hls4ml configurations by hls4ml_yaml, events by events and synthetic.
"""

from l1forge.intake.events import VerificationEvents, check_events, events_from_file
from l1forge.intake.keras_files import load_keras
from l1forge.intake.source import KINDS, Source, load_source, sha256_of
from l1forge.intake.synthetic import graph_input_shape, input_type, synthetic_events

__all__ = ["KINDS", "Source", "VerificationEvents", "check_events", "events_from_file",
           "graph_input_shape", "input_type", "load_keras", "load_source", "sha256_of",
           "synthetic_events"]
