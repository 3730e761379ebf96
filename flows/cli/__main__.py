"""`python -m flows.cli`: the newsflow command line."""

from flows.cli import main

main()
