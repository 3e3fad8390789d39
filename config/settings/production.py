"""Production settings: base settings with the secure defaults forced on.

`DJANGO_SETTINGS_MODULE=config.settings.production python manage.py check --deploy` must
report no issues (tests/core/test_hardening.py runs it). docs/security.md explains each one.
"""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False
# Cookies only over HTTPS, and every plain-HTTP request redirected to HTTPS.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# HSTS for a year, subdomains included, with the preload flag (browsers then never try plain
# HTTP; submitting the domain to the preload list is a separate, deliberate step).
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)) or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
