"""The files in deploy/ agree with the app: commands that exist, the body limit in step with
SAFERSTAT_MAX_UPLOAD_BYTES, a restarting worker, timers for maintenance and backups, and an
environment file naming only settings the app reads (make smoke runs the same install)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    # systemd allows repeated keys (two ExecStart= in a oneshot): keep the last for parsing,
    # the raw text is checked for the others.
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def env_file() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "saferstat.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_every_management_command_in_the_units_exists():
    commands = get_commands()
    used = set()
    for path in SYSTEMD.glob("*.service"):
        for found in re.findall(r"manage\.py (\w+)", path.read_text()):
            used.add(found)
            assert found in commands, (path.name, found)
    assert {
        "recover_stuck_jobs",
        "purge_uploads",
        "backup",
        "db_worker",
        "worker_heartbeat",
    } <= used


def test_web_and_worker_units():
    web = unit("saferstat-web.service")["Service"]
    assert "gunicorn -c config/gunicorn.conf.py config.wsgi" in web["ExecStart"]
    assert (ROOT / "config" / "gunicorn.conf.py").is_file()
    assert web["EnvironmentFile"] == "/etc/saferstat/saferstat.env"
    worker = unit("saferstat-worker.service")["Service"]
    assert worker["Restart"] == "always"
    worker_text = (SYSTEMD / "saferstat-worker.service").read_text()
    assert (
        "ExecStartPre=/srv/saferstat/app/.venv/bin/python manage.py recover_stuck_jobs --older-than 0"
        in worker_text
    )
    assert (
        "ExecStartPre=/srv/saferstat/app/.venv/bin/python manage.py worker_heartbeat" in worker_text
    )
    assert "db_worker" in worker["ExecStart"]


def test_timers_run_maintenance_and_backups():
    for timer, service in (
        ("saferstat-maintenance.timer", "saferstat-maintenance.service"),
        ("saferstat-backup.timer", "saferstat-backup.service"),
        ("saferstat-daily.timer", "saferstat-daily.service"),
    ):
        assert (SYSTEMD / service).is_file()
        assert unit(timer)["Timer"]
        assert unit(timer)["Install"]["WantedBy"] == "timers.target"
    text = (SYSTEMD / "saferstat-maintenance.service").read_text()
    assert all(c in text for c in ("recover_stuck_jobs", "purge_uploads", "worker_heartbeat"))
    # Personal data past its retention period is erased daily (docs/data-protection.md).
    assert "manage.py queue_retention" in (SYSTEMD / "saferstat-daily.service").read_text()


def scheduled_commands() -> set[str]:
    """SaferStat's management commands meant to run on a schedule: those whose help says to
    run them from cron or a timer (and the nightly backup)."""
    out = {"backup"}
    for name, app in get_commands().items():
        if app.startswith("saferstat") and re.search(
            r"\bcron\b|\btimer\b", load_command_class(app, name).help
        ):
            out.add(name)
    return out


def test_every_scheduled_command_has_a_timer():
    scheduled = scheduled_commands()
    assert {
        "queue_report_builds",
        "governance_reminders",
        "queue_return_reminders",
        "queue_retention",
        "queue_policeuk_fetch",
    } <= scheduled
    timed: dict[str, str] = {}
    for service in SYSTEMD.glob("*.service"):
        timer = SYSTEMD / f"{service.stem}.timer"
        if not timer.is_file():
            continue
        parsed = unit(timer.name)
        assert parsed["Install"]["WantedBy"] == "timers.target", timer.name
        assert {"OnCalendar", "OnUnitActiveSec"} & set(parsed["Timer"]), timer.name
        assert unit(service.name)["Service"]["Type"] == "oneshot", service.name
        for command in re.findall(r"manage\.py (\w+)", service.read_text()):
            timed[command] = timer.name
    missing = scheduled - set(timed)
    assert not missing, f"scheduled commands with no systemd timer: {sorted(missing)}"
    # The new timers, as docs/deploy.md lists them.
    deploy_doc = (ROOT / "docs" / "deploy.md").read_text()
    for timer in set(timed.values()):
        assert f"`{timer}`" in deploy_doc, timer


def test_nginx_body_limit_matches_the_upload_limit():
    conf = (DEPLOY / "nginx" / "saferstat.conf").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    upload = int(env_file()["SAFERSTAT_MAX_UPLOAD_BYTES"])
    assert upload == settings.SAFERSTAT_MAX_UPLOAD_BYTES  # the example keeps the default
    # Room for the form's other fields, but not more than a few MB beyond the app's limit.
    assert upload < limit_mb * 1024 * 1024 <= upload + 4 * 1024 * 1024
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "alias /srv/saferstat/static/;" in conf
    assert env_file()["SAFERSTAT_STATIC_DIR"] == "/srv/saferstat/static"
    assert "ssl_certificate " in conf and "listen 443 ssl" in conf


def test_environment_file_names_only_settings_the_app_reads():
    known = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    known |= {
        "DJANGO_SETTINGS_MODULE",
        "SAFERSTAT_SKIP_DOTENV",
        "SAFERSTAT_BIND",
        "WEB_CONCURRENCY",
    }
    pairs = env_file()
    assert set(pairs) <= known, set(pairs) - known
    assert pairs["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert pairs["BEHIND_TLS_PROXY"] == "1"
    # A laptop's relaxations must not be in a server's file.
    for relaxed in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES", "DEBUG"):
        assert relaxed not in pairs
