"""``python -m signfuse.cli`` runs the ``signfuse`` command."""

from . import main

main()
