#!/usr/bin/env python
import sys

from jicai.core.console import main

if __name__ == "__main__":
    sys.exit(main())
