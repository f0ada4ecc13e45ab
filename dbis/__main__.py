import sys

from dbis.cli import main

sys.exit(main())
