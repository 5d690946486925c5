"""`python -m newsdesk.cli`: the same command line as the `newsdesk` script."""

from newsdesk.cli import app

app()
