"""Production settings: base settings with the secure defaults forced on."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)) or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
