"""The command line ``python -m dashboard``: argparse, exit codes, one module per command group."""
