import shutil
from pathlib import Path

import pytest
from report_fakes import DENSE16X5

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "vivado_reports"


@pytest.fixture
def reference() -> Path:
    """The read-only reference reports (../shared/reference/vivado_reports)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference reports not found at {REFERENCE}")
    return REFERENCE


@pytest.fixture
def vendor_only(tmp_path) -> Path:
    """A copy of hls4ml's Dense 16->5 test reports: vendor reports, no hls4ml config."""
    dest = tmp_path / "dense16x5"
    shutil.copytree(DENSE16X5, dest)
    return dest
