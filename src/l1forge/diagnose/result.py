"""What the diagnosis finds: one row per firmware layer, the first divergent layer, its
cause and the hls4ml configuration change that removes it. Frozen and JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass, field

AGREEMENT_THRESHOLD = 0.99  # a layer diverges once fewer events than this agree with Keras


@dataclass(frozen=True)
class LayerDiagnosis:
    """One ModelGraph layer against its Keras counterpart, over the verification events.

    Fractions are of events. `agreement` is None where Keras has no counterpart (`note`
    says why); `tolerance` is the largest difference still counted as agreeing."""

    name: str
    layer_class: str
    result_type: str
    keras_layer: str | None
    note: str
    quantized: bool
    agreement: float | None
    max_lsb_error: float | None
    saturated: float | None
    wrapped: float | None
    tolerance: float | None

    def as_dict(self) -> dict:
        return {"name": self.name, "class": self.layer_class, "result_type": self.result_type,
                "keras_layer": self.keras_layer, "note": self.note, "quantized": self.quantized,
                "agreement": self.agreement, "max_lsb_error": self.max_lsb_error,
                "saturated": self.saturated, "wrapped": self.wrapped, "tolerance": self.tolerance}

    @classmethod
    def from_dict(cls, d: dict) -> "LayerDiagnosis":
        return cls(d["name"], d["class"], d["result_type"], d["keras_layer"], d["note"], d["quantized"],
                   d["agreement"], d["max_lsb_error"], d["saturated"], d["wrapped"], d["tolerance"])


@dataclass(frozen=True)
class Fix:
    """hls4ml configuration changes (dotted keys under the conversion config, e.g.
    `HLSConfig.LayerName.fc1.Precision.accum`) and, when l1forge re-converted the model
    with them, the layer's agreement and the argmax agreement measured afterwards."""

    changes: tuple[tuple[str, str | int], ...]  # values as the hls4ml config takes them
    explanation: str
    agreement_after: float | None = None
    argmax_agreement_after: float | None = None

    def as_dict(self) -> dict:
        return {"changes": dict(self.changes), "explanation": self.explanation,
                "agreement_after": self.agreement_after, "argmax_agreement_after": self.argmax_agreement_after}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Fix | None":
        if d is None:
            return None
        return cls(tuple(d["changes"].items()), d["explanation"], d["agreement_after"],
                   d["argmax_agreement_after"])


@dataclass(frozen=True)
class Cause:
    """Why the first divergent layer departs from Keras. `kind` is one of CAUSE_KINDS."""

    kind: str
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "detail": self.detail}


CAUSE_KINDS = {
    "result_saturating": "result type saturating",
    "result_wrapping": "result type wrapping",
    "accumulator_truncating": "accumulator truncating",
    "table_input_range": "table input range",
    "table_resolution": "table resolution",
    "input_clipped": "input clipped",
    "upstream_rounding": "rounding carried from earlier layers",
    "unexplained": "not explained",
}


@dataclass(frozen=True)
class Finding:
    """A divergent layer, why it departs from Keras, and the fix (None if none is named)."""

    layer: str
    cause: Cause
    fix: Fix | None

    def as_dict(self) -> dict:
        return {"layer": self.layer, "cause": self.cause.as_dict(), "fix": self.fix.as_dict() if self.fix else None}

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(d["layer"], Cause(**d["cause"]), Fix.from_dict(d["fix"]))


@dataclass(frozen=True)
class Diagnosis:
    """Firmware against Keras, layer by layer, on `events` verification events.

    `findings[0]` is the first divergent layer; each later divergent layer with a cause of
    its own (found on its own firmware inputs) follows. `combined_fix`: every finding's fix
    together, measured at the last layer (only when the fixes were measured by re-conversion)."""

    events: int
    layers: tuple[LayerDiagnosis, ...]
    findings: tuple[Finding, ...]
    argmax_agreement: float | None
    keras_only: tuple[str, ...] = field(default=())
    combined_fix: Fix | None = None

    @property
    def first_divergent_layer(self) -> str | None:
        return self.findings[0].layer if self.findings else None

    @property
    def cause(self) -> Cause | None:
        return self.findings[0].cause if self.findings else None

    @property
    def fix(self) -> Fix | None:
        return self.findings[0].fix if self.findings else None

    def layer(self, name: str) -> LayerDiagnosis:
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(name)

    def as_dict(self) -> dict:
        return {"events": self.events, "threshold": AGREEMENT_THRESHOLD,
                "layers": [row.as_dict() for row in self.layers],
                "first_divergent_layer": self.first_divergent_layer,
                "cause": self.cause.as_dict() if self.cause else None,
                "fix": self.fix.as_dict() if self.fix else None,
                "findings": [finding.as_dict() for finding in self.findings],
                "combined_fix": self.combined_fix.as_dict() if self.combined_fix else None,
                "argmax_agreement": self.argmax_agreement,
                "keras_layers_without_firmware_layer": list(self.keras_only)}

    @classmethod
    def from_dict(cls, d: dict) -> "Diagnosis":
        """The diagnosis `as_dict` wrote (a manifest's `metrics.diagnosis`)."""
        return cls(d["events"], tuple(LayerDiagnosis.from_dict(row) for row in d["layers"]),
                   tuple(Finding.from_dict(f) for f in d["findings"]), d["argmax_agreement"],
                   tuple(d["keras_layers_without_firmware_layer"]), Fix.from_dict(d["combined_fix"]))
