"""Odoo-free tests: put the repository root on sys.path (``from lib import phone``).

The repository root is also the Odoo addon, whose ``__init__.py`` imports
``odoo``.  pytest (>= 8) imports every ``__init__.py`` above a test file to
run package-level setup, so the root package is registered here as a plain,
empty namespace: the addon code is never imported by these tests.
"""

import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

_ROOT_PACKAGE = os.path.basename(ROOT)
if _ROOT_PACKAGE not in sys.modules:
    _stub = types.ModuleType(_ROOT_PACKAGE)
    _stub.__file__ = os.path.join(ROOT, "__init__.py")
    _stub.__path__ = [ROOT]
    sys.modules[_ROOT_PACKAGE] = _stub
