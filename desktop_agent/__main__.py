"""`python -m desktop_agent` runs the same entry point as the `desktop-agent` script."""

import sys

from desktop_agent.app import main

sys.exit(main())
