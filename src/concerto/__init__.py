"""Concerto: public consultations and working groups."""

import os

# Piccolo finds its engine through this module; it must be known before any
# table is imported (the binding is cached on first use).
os.environ.setdefault("PICCOLO_CONF", "concerto.piccolo_conf")

__version__ = "0.1.0"
