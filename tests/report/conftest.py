import shutil
from pathlib import Path

import pytest
from report_fakes import DENSE16X5

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "vivado_reports"


@pytest.fixture
def reference() -> Path:
    """The read-only reference reports (../shared/reference/vivado_reports). Without them the
    test is skipped, saying so; under L1FORGE_CI=1 (`make test`) that skip is a failure."""
    if not REFERENCE.is_dir():
        pytest.skip(f"needs the reference reports ../shared/reference/vivado_reports beside the "
                    f"repository (not found at {REFERENCE})")
    return REFERENCE


@pytest.fixture
def vendor_only(tmp_path) -> Path:
    """A copy of hls4ml's Dense 16->5 test reports: vendor reports, no hls4ml config."""
    dest = tmp_path / "dense16x5"
    shutil.copytree(DENSE16X5, dest)
    return dest
