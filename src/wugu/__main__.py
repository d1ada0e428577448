"""``python -m wugu`` runs the command line."""
from .cli import main

main(prog_name="wugu")
