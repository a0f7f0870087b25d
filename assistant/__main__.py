"""`python -m assistant` runs the command line."""
import sys

from assistant.interfaces.cli import main

sys.exit(main())
