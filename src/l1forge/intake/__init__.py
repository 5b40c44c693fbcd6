"""Model intake: a user's trained model and the events to verify its firmware on.

    from l1forge.intake import load_source, events_from_file, synthetic_events, input_type
    source = load_source("model.h5")              # or model.json + weights=..., or an hls4ml YAML
    source.model, source.settings(), source.files  # Keras model, settings found, sha256 per file
    events = events_from_file("x.npy", source.input_shape)            # --data
    events = synthetic_events(input_type(graph), source.input_shape, 1000, seed=0)  # no data
    events = graph_synthetic_events(graph, 1000, seed=0)  # no data, any number of inputs

A model with several inputs is verified on events laid end to end (ports.py: one row per
event, every input's values flattened, in the ModelGraph's input order).

Keras files are read by keras_files (QKeras quantizer objects revived by qkeras_objects),
hls4ml configurations by hls4ml_yaml, events by events and synthetic.
"""

from l1forge.intake.events import VerificationEvents, check_events, events_from_file
from l1forge.intake.keras_files import load_keras
from l1forge.intake.source import KINDS, Source, load_source, sha256_of
from l1forge.intake.ports import Port, graph_ports, split
from l1forge.intake.synthetic import (graph_input_shape, graph_synthetic_events, input_type, input_types,
                                      port_synthetic_events, synthetic_events)

__all__ = ["KINDS", "Port", "Source", "VerificationEvents", "check_events", "events_from_file",
           "graph_input_shape", "graph_ports", "graph_synthetic_events", "input_type", "input_types",
           "load_keras", "load_source", "port_synthetic_events", "sha256_of", "split", "synthetic_events"]
