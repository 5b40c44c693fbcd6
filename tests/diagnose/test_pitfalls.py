"""The classic hls4ml pitfalls, planted and named by the diagnosis."""

from __future__ import annotations

import json

import pytest

from l1forge.diagnose import diagnose, hls4ml_reconverter, render_text
from diagnose_models import convert


@pytest.fixture(scope="module")
def softmax_diagnosis(classifier, default_graph):
    model, x = classifier
    return diagnose(default_graph, model, x, reconvert=hls4ml_reconverter(model, default_graph))


def test_default_types_flatten_the_softmax(softmax_diagnosis):
    found = softmax_diagnosis
    assert found.first_divergent_layer == "output_softmax"
    assert found.cause.kind == "table_input_range"
    assert "first entry" in found.cause.detail
    assert found.layer("output_softmax").agreement < 0.05
    assert found.argmax_agreement < 0.5  # every class at 0.2: the first index wins
    for name in ("input_1", "fc1", "fc1_relu", "fc2", "fc2_relu", "output"):
        assert found.layer(name).agreement >= 0.99, name
    changes = dict(found.fix.changes)
    assert "HLSConfig.LayerName.output_softmax.inp_norm_t" in changes
    # The fix, converted and emulated again, restores the classification.
    assert found.fix.argmax_agreement_after >= 0.99
    assert found.fix.agreement_after > 0.9


def test_mapping_notes_split_activations(softmax_diagnosis):
    found = softmax_diagnosis
    assert found.layer("fc1").note.startswith("Keras fc1 before its activation")
    assert found.layer("fc1_relu").keras_layer == "fc1"
    assert found.keras_only == ()


def test_json_and_text(softmax_diagnosis):
    data = json.loads(json.dumps(softmax_diagnosis.as_dict()))
    assert data["first_divergent_layer"] == "output_softmax"
    row = data["layers"][-1]
    assert {"name", "class", "agreement", "max_lsb_error", "saturated", "wrapped"} <= set(row)
    assert data["argmax_agreement"] == softmax_diagnosis.argmax_agreement
    text = render_text(softmax_diagnosis)
    assert "first divergent layer: output_softmax" in text
    assert "inp_norm_t: ap_ufixed<" in text


def test_narrow_accumulator_is_named(classifier):
    model, x = classifier
    graph = convert(model, fc2={"Precision": {"accum": "ap_fixed<10,4>"}})
    found = diagnose(graph, model, x)
    assert found.first_divergent_layer == "fc2"
    assert found.cause.kind == "accumulator_truncating"
    (key, value), = found.fix.changes
    assert key == "HLSConfig.LayerName.fc2.Precision.accum" and value.startswith("ap_fixed<")
    assert found.fix.agreement_after >= 0.99  # measured by rerunning the layer's accumulation


def test_saturating_result_is_named_with_the_width_needed(classifier):
    model, x = classifier
    graph = convert(model, fc1_relu={"Precision": {"result": "ap_ufixed<8,1,AP_TRN,AP_SAT>"}})
    found = diagnose(graph, model, x)
    assert found.first_divergent_layer == "fc1_relu"
    assert found.cause.kind == "result_saturating"
    row = found.layer("fc1_relu")
    assert row.saturated >= 1 - row.agreement - 0.01 and row.wrapped == 0.0
    (key, value), = found.fix.changes
    assert key == "HLSConfig.LayerName.fc1_relu.Precision.result"
    assert value.startswith("ap_ufixed<") and value.endswith(",AP_TRN,AP_SAT>")


def test_clipped_input_is_named(classifier):
    model, x = classifier
    graph = convert(model, input_1={"Precision": {"result": "ap_fixed<10,2>"}})
    found = diagnose(graph, model, 2.5 * x, classifier=False)
    assert found.first_divergent_layer == "input_1"
    assert found.cause.kind == "input_clipped"
    assert found.layer("input_1").wrapped > 0.1 and found.argmax_agreement is None
    (key, value), = found.fix.changes
    assert key == "HLSConfig.LayerName.input_1.Precision.result"


def test_report_page_carries_the_diagnosis_section(softmax_diagnosis):
    from l1forge.report import html_page

    report = {"project": "mlp", "part": {"name": "xcvu13p", "family": "virtex_uplus", "capacity": {}},
              "budget": {"checks": []}, "diagnosis": softmax_diagnosis.as_dict()}
    page = html_page.render(report)
    assert '<h2 id="diagnosis">' in page
    assert '<tr id="diagnosis-first-divergent"><td class="name">output_softmax</td>' in page
    assert "HLSConfig.LayerName.output_softmax.inp_norm_t: ap_ufixed&lt;" in page
    assert "table input range" in page
    assert '<h2 id="diagnosis">' not in html_page.render({k: v for k, v in report.items() if k != "diagnosis"})


def test_trained_weights_off_the_grid_name_weight_rounding_then_the_softmax(classifier, default_graph, trained_weights):
    import tensorflow as tf

    model, x = classifier
    off_grid = tf.keras.models.clone_model(model)
    off_grid.set_weights(trained_weights)
    graph = convert(off_grid)
    found = diagnose(graph, off_grid, x)
    last = found.findings[-1]
    assert last.layer == "output_softmax" and last.cause.kind == "table_input_range"
    if len(found.findings) == 2:  # rounding the trained weights already moves a hidden layer beyond 1%
        first = found.findings[0]
        assert first.cause.kind == "upstream_rounding" and "weights in ap_fixed<16,6>" in first.cause.detail
        assert all(key.endswith(".Precision.weight") for key, _ in first.fix.changes)
