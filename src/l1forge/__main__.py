import sys

from l1forge.cli import main

sys.exit(main())
