import pytest
from l1_synthetic import write_folder


@pytest.fixture(scope="session")
def l1_folder(tmp_path_factory):
    """Synthetic background and four signals in the committed files' names and layout."""
    return write_folder(tmp_path_factory.mktemp("l1"), n_background=1500, n_signal=200)
