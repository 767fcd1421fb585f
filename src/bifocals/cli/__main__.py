"""`python -m bifocals.cli`: the same as the `bifocals` command."""

from bifocals.cli import main

main()
