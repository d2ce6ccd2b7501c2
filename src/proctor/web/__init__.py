"""The reviewer web app: server-rendered pages and the same handlers as a JSON API under /api."""

from proctor.web.app import create_app
from proctor.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
