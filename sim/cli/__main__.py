"""`python -m sim.cli …` runs the dostyk command line."""

from sim.cli.app import main

main()
