"""The JSON API (``/api/v1``): each domain contributes its handlers here."""

from __future__ import annotations

API_HANDLERS: list = []
