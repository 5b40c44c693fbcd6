"""l1forge: Level-1 trigger neural networks to FPGA firmware, bit for bit.

The Python API is `l1forge.api` (build, train, csim, report, trigger, load_card) and the
emulator package `l1forge.emulate`. Importing l1forge loads none of TensorFlow, hls4ml or
QKeras; each function imports what it needs when it runs.
"""

from l1forge.errors import UserError

__version__ = "0.1.0"
__all__ = ["UserError", "__version__"]
