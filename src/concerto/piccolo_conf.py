"""Piccolo's configuration: the engine and the one Piccolo app.

``DB`` starts as the engine for the configured URL (what Piccolo's own CLI
uses); ``concerto.db.bind()`` replaces it when the app or a test connects.
"""

from piccolo.conf.apps import AppRegistry

from concerto.db import create_engine
from concerto.settings import get_settings

DB = create_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["concerto.piccolo_app"])
