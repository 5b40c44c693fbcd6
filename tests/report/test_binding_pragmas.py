"""Multiplier bindings written into a project's firmware (report/binding_pragmas.py)."""

from report_fakes import hls4ml_folder, jet_like

from l1forge.report import make_report
from l1forge.report.binding_pragmas import firmware_multiplier_impl, source_bindings

VITIS_FABRIC = "    #pragma HLS bind_op variable=mult op=mul impl=fabric latency=0\n"
VIVADO_DSP = "#pragma HLS RESOURCE variable=mult core=DSP48\n"


def test_pragmas_on_multiplies_are_read_and_others_are_not():
    assert source_bindings(VITIS_FABRIC) == {"fabric"}
    assert source_bindings("#pragma HLS BIND_OP variable=p op=mul impl=dsp") == {"dsp"}
    assert source_bindings("#pragma HLS RESOURCE variable=m core=Mul_LUT") == {"fabric"}
    assert source_bindings(VIVADO_DSP) == {"dsp"}
    # hls4ml's own weight ROM pragma and a bind_op on an adder are not multiplier bindings
    assert source_bindings("#pragma HLS RESOURCE variable=weights core=ROM_nP_BRAM") == set()
    assert source_bindings("#pragma HLS bind_op variable=acc op=add impl=fabric") == set()


def write(folder, name, text):
    path = folder / "firmware" / "nnet_utils" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_firmware_pragma_wins_over_the_build_script(tmp_path):
    project = hls4ml_folder(tmp_path / "p", part="xcvu9p-flga2104-2-e")
    (project / "build_prj.tcl").write_text("config_op mul -impl dsp\n")
    assert make_report(project, graph=jet_like())["estimate"]["multiplier_impl"] == "dsp"
    write(project, "nnet_dense_latency.h", "void f() {\n" + VITIS_FABRIC + "}\n")
    report = make_report(project, graph=jet_like())
    assert report["estimate"]["multiplier_impl"] == "fabric" and report["estimate"]["dsp"] == 0
    assert any("nnet_dense_latency.h: a pragma binds the multiplies to fabric" in w for w in report["warnings"])


def test_both_bindings_in_the_sources_are_not_modelled(tmp_path):
    project = hls4ml_folder(tmp_path / "p")
    write(project, "a.h", VITIS_FABRIC)
    write(project, "b.h", VIVADO_DSP)
    impl, warnings = firmware_multiplier_impl(project)
    assert impl is None and "both DSP and fabric" in warnings[0]
    assert firmware_multiplier_impl(tmp_path / "nowhere") == (None, [])
