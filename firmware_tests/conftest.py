import os
import shutil

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_collection_modifyitems(config, items):
    if shutil.which(os.environ.get("CXX", "g++")) is None:
        skip = pytest.mark.skip(reason="firmware tests compile C++ and need g++ on PATH")
        for item in items:
            item.add_marker(skip)
