"""The checks of every lab; importing this package registers them (see ``exercises.py``).

One module per lab (``labNN.py``), or one package per lab whose checks are many
(``lab05/``, ``lab06/``, ``lab11/``: a module per group of exercises, the package
re-exporting their names); titles and hint ladders are in ``../hints/labNN.json``.
"""

from . import lab00, lab01, lab02, lab03, lab04, lab05, lab06, lab07, lab08, lab09, lab10, lab11

__all__ = ["lab00", "lab01", "lab02", "lab03", "lab04", "lab05", "lab06", "lab07", "lab08",
           "lab09", "lab10", "lab11"]
