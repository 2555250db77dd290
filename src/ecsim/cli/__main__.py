"""``python -m ecsim.cli``: the ``ecsim`` command."""

import sys

from ecsim.cli import main

sys.exit(main())
