"""``python -m synthcity``: the same as the ``synthcity`` command."""

import sys

from .cli import main

sys.exit(main())
