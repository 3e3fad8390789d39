"""Two-factor sign-in (django-otp): turning it on, signing in with a code, recovery codes,
what a session that owes its second factor can reach, the admin's sign-in, wrong codes
counted by the lockout, and moving old devices over.

Every sign-in here is a real POST to the sign-in form (no force_login) unless a test says
why not."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from saferstat.core.models import ApiToken, AuditEvent, Membership, User
from saferstat.intelligence.datasets.services import partner_dataset_declare
from saferstat.intelligence.models import DataRequest, ImportRun, PartnerUpload
from tests.core.test_access_matrix import MATRIX
from tests.core.two_factor_helpers import code_at, enable, next_code, sign_in, sign_out
from tests.django_fixtures import PASSWORD

# RFC 6238 appendix B (SHA-1, 8 digits) for the ASCII secret "12345678901234567890": the
# tests' own code generator is right before anything is checked with it.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"),
               (2000000000, "69279037"), (20000000000, "65353130")]  # fmt: skip
WRONG = "That code is not right"
SET_UP = "/account/two-factor/"
CODE_STEP = "/sign-in/code/"
WARDS = ["E05012993", "E05012994"]
SCHEMA = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": "Referrals", "type": "count"},
    ],
}


@pytest.mark.parametrize("at,code", RFC_VECTORS)
def test_the_tests_code_generator_matches_the_rfc_vectors(at, code):
    assert code_at(RFC_SECRET, at, digits=8) == code


def wrong_code(key: str) -> str:
    """A 6-digit code that is not valid now (nor one step either side)."""
    now = time.time()
    valid = {code_at(key, now + d * 30) for d in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


# --------------------------------------------------------------------- turning it on, codes


@pytest.mark.django_db
def test_analyst_turns_it_on_and_then_needs_a_code(client, rotherham, members):
    key, _ = enable(client, "rotherham-analyst")
    assert AuditEvent.objects.filter(verb="two_factor.enable").exists()
    response = sign_in(client, "rotherham-analyst")
    assert response["Location"] == CODE_STEP
    assert "_auth_user_id" not in client.session  # the password alone signed nobody in
    assert client.get("/p/rotherham/").status_code == 302
    code = code_at(key, time.time() + 30)
    assert client.post(CODE_STEP, {"code": code}).status_code == 302
    assert client.get("/p/rotherham/").status_code == 200
    # The same code cannot be used again (replay).
    sign_out(client)
    sign_in(client, "rotherham-analyst")
    replay = client.post(CODE_STEP, {"code": code})
    assert replay.status_code == 400 and WRONG in replay.content.decode()
    assert client.get("/p/rotherham/").status_code == 302


@pytest.mark.django_db
def test_the_set_up_page_shows_a_qr_code_made_on_the_server(client, rotherham, members):
    sign_in(client, "rotherham-admin")
    response = client.post(SET_UP, {"action": "start"})
    page = response.content.decode()
    assert 'id="two-factor-key"' in page
    src = page.split('id="two-factor-qr"')[0].rsplit('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("data:image/svg+xml")  # an <img>: CSP allows img-src data:
    assert "<script" not in page.split("<main", 1)[1] and " style=" not in page
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_only_admins_analysts_and_staff_may_turn_it_on(client, rotherham, members):
    sign_in(client, "rotherham-board")
    assert client.post(SET_UP, {"action": "start"}).status_code == 400
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_turning_off_needs_a_code_and_is_refused_when_required(
    client, rotherham, members, settings
):
    key, _ = enable(client, "rotherham-analyst")
    sign_in(client, "rotherham-analyst")
    client.post(CODE_STEP, {"code": code_at(key, time.time() + 30)})
    settings.SAFERSTAT_REQUIRE_2FA = True
    later = code_at(key, time.time() + 30)
    refused = client.post(SET_UP, {"action": "disable", "code": later})
    assert refused.status_code == 400
    settings.SAFERSTAT_REQUIRE_2FA = False
    wrong = client.post(SET_UP, {"action": "disable", "code": wrong_code(key)})
    assert wrong.status_code == 400
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert TOTPDevice.objects.filter(confirmed=True).exists()
    assert AuditEvent.objects.filter(verb="two_factor.disable").count() == 0


@pytest.mark.django_db
def test_recovery_code_works_once(client, rotherham, members):
    _, codes = enable(client, "rotherham-analyst")
    assert len(codes) == 10 and len(set(codes)) == 10
    sign_in(client, "rotherham-analyst")
    assert client.post(CODE_STEP, {"code": codes[0]}).status_code == 302
    assert client.get("/p/rotherham/").status_code == 200
    assert AuditEvent.objects.filter(verb="two_factor.recovery_code_used").exists()
    sign_out(client)
    sign_in(client, "rotherham-analyst")
    again = client.post(CODE_STEP, {"code": codes[0]})
    assert again.status_code == 400 and WRONG in again.content.decode()
    assert client.get("/p/rotherham/").status_code == 302


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, rotherham, members):
    key, old = enable(client, "rotherham-admin")
    sign_in(client, "rotherham-admin")
    signed_in = client.post(CODE_STEP, {"code": next_code(key, "rotherham-admin")})
    assert signed_in.status_code == 302, signed_in.content.decode()[-1500:]
    page = client.post(SET_UP, {"action": "recovery"}).content.decode()
    from tests.core.two_factor_helpers import RECOVERY

    new = RECOVERY.findall(page)
    assert len(new) == 10 and not set(new) & set(old)
    sign_out(client)
    sign_in(client, "rotherham-admin")
    assert client.post(CODE_STEP, {"code": old[1]}).status_code == 400
    time.sleep(1.1)  # django-otp's back-off after one wrong code is one second
    assert client.post(CODE_STEP, {"code": new[1]}).status_code == 302


# ------------------------------------------- a session that owes its second factor reaches
# only the code step, the set-up page and sign-out


@pytest.fixture
def sensitive(rotherham, members, tmp_path, settings, django_capture_on_commit_callbacks):
    """A sensitive partner dataset with figures, and an import run, in Rotherham."""
    settings.SAFERSTAT_WAREHOUSE = tmp_path / "warehouse"
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = partner_dataset_declare(
        partnership=rotherham,
        by=members["admin"],
        name="Domestic abuse referrals",
        slug="domestic-abuse",
        schema=SCHEMA,
        sensitive=True,
    )
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=members["analyst"],
        original_name="x.csv",
        stored_path="/none",
        size_bytes=1,
    )
    return dataset, run


def referrals_csv() -> SimpleUploadedFile:
    rows = ["Month,Ward code,Referrals", f"2024-05,{WARDS[0]},7", f"2024-06,{WARDS[1]},9"]
    return SimpleUploadedFile("referrals.csv", ("\r\n".join(rows) + "\r\n").encode())


SENSITIVE_GETS = [
    "/p/rotherham/datasets/domestic-abuse/",
    "/p/rotherham/datasets/domestic-abuse/template.csv",
    "/p/rotherham/explore/?source=domestic-abuse&view=wards&format=csv",
    "/p/rotherham/imports/",
]


def attack(client, django_capture_on_commit_callbacks) -> dict[str, int]:
    """Everything the findings reached from a half-signed-in session: statuses by action."""
    statuses = {url: client.get(url).status_code for url in SENSITIVE_GETS}
    with django_capture_on_commit_callbacks(execute=True):
        statuses["upload"] = client.post(
            "/p/rotherham/datasets/domestic-abuse/upload/", {"file": referrals_csv()}
        ).status_code
    statuses["token"] = client.post("/account/api-tokens/", {"name": "Power BI"}).status_code
    statuses["api"] = client.get("/api/partnerships/rotherham/counts?period=2024/25").status_code
    return statuses


@pytest.mark.django_db
def test_the_same_session_without_two_factor_reaches_everything(
    client, sensitive, settings, django_capture_on_commit_callbacks
):
    """The control for the next test: the URLs and posts do work for a full session."""
    sign_in(client, "rotherham-analyst")
    statuses = attack(client, django_capture_on_commit_callbacks)
    assert statuses["/p/rotherham/datasets/domestic-abuse/"] == 200
    assert statuses["/p/rotherham/datasets/domestic-abuse/template.csv"] == 200
    assert statuses["/p/rotherham/imports/"] == 200
    assert statuses["upload"] == 302 and PartnerUpload.objects.exists()
    assert statuses["token"] == 200 and ApiToken.objects.exists()


@pytest.mark.django_db
def test_required_two_factor_holds_until_it_is_set_up(
    client, sensitive, members, settings, django_capture_on_commit_callbacks
):
    settings.SAFERSTAT_REQUIRE_2FA = True
    response = sign_in(client, "rotherham-analyst")
    assert response["Location"] == SET_UP
    statuses = attack(client, django_capture_on_commit_callbacks)
    for action, status in statuses.items():
        if action == "api":
            assert status == 401, "the API sees an anonymous caller"
        else:
            assert status == 302, (action, status)
    assert not PartnerUpload.objects.exists()
    assert not ApiToken.objects.exists()
    assert client.get("/p/rotherham/imports/")["Location"].startswith(SET_UP + "?next=")
    # The set-up page works; confirming a device makes the session whole.
    page = client.post(SET_UP, {"action": "start"}).content.decode()
    from tests.core.two_factor_helpers import KEY

    key = KEY.search(page).group(1)
    assert (
        client.post(SET_UP, {"action": "confirm", "code": code_at(key, time.time())}).status_code
        == 200
    )
    assert client.get("/p/rotherham/imports/").status_code == 200
    # A board member's role does not need it.
    sign_out(client)
    assert sign_in(client, "rotherham-board")["Location"] == "/"
    assert client.get("/p/rotherham/").status_code == 200


def matrix_url(template: str, world: dict) -> str:
    return template.format(slug="rotherham", **world)


@pytest.fixture
def world(sensitive, members, rotherham):
    import datetime

    dataset, run = sensitive
    upload = PartnerUpload.objects.create(
        partnership=rotherham,
        dataset=dataset,
        uploaded_by=members["analyst"],
        original_name="x.csv",
        stored_path="/none",
        size_bytes=1,
    )
    data_request = DataRequest.objects.create(
        partnership=rotherham,
        raised_by=members["scrutiny"],
        question="Is knife crime going up?",
        due_date=datetime.date(2030, 1, 1),
    )
    from tests.governance.world import build as build_governance
    from tests.performance.factories import plan_world
    from tests.reports.world import build as build_reports

    governance = build_governance(rotherham, members["admin"], owner=members["board"])
    from tests.casereviews.world import build as build_casereviews

    casereviews = build_casereviews(rotherham, members["admin"])
    plan = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=None,
    )
    from tests.assessment.world import build as build_assessment

    assessment = build_assessment(rotherham, members["admin"], members["analyst"])
    from tests.delivery.factories import delivery_world

    delivery = delivery_world(
        rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
    )
    return {
        **assessment,
        "stream": delivery["stream"].pk,
        "grant": delivery["grant"].pk,
        "project": delivery["project"].pk,
        "project_ret": delivery["submitted"].pk,
        "communication": delivery["bulletin"].pk,
        "ret": plan["approved"].pk,
        "indicator": plan["missing"].code,
        "run": run.pk,
        "dataset": dataset.slug,
        "upload": upload.pk,
        "request": data_request.pk,
        **governance,
        **casereviews,
        **build_reports(rotherham, members["analyst"]),
    }


OPEN_WHILE_OWED = {"login", "login_code", "logout", "two_factor"}


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["required, no device yet", "device, session made elsewhere"])
def test_every_url_is_closed_to_a_session_that_owes_its_second_factor(
    client, world, members, settings, how
):
    """Every URL of the access matrix (which covers every URL the resolver has), GET and
    POST, and /admin/: only the code step, set-up and sign-out answer as for a member."""
    analyst = members["analyst"]
    if how.startswith("required"):
        settings.SAFERSTAT_REQUIRE_2FA = True
        sign_in(client, analyst.username)
        owed = SET_UP
    else:
        enable(client, analyst.username)
        # A session that never passed the code (made before this change, or by any other
        # login() call): the middleware holds it, not the sign-in view.
        client.force_login(analyst)
        owed = CODE_STEP
    open_ = OPEN_WHILE_OWED - ({"two_factor"} if owed == CODE_STEP else set())
    for name, (template, _roles, anonymous, _other) in sorted(MATRIX.items()):
        if name in open_:
            continue
        url = matrix_url(template, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name.startswith("api:"):
                if method == "get":
                    assert response.status_code == anonymous, (name, response.status_code)
                continue
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"].startswith(owed), (name, method, response["Location"])
    for url in ("/admin/", "/admin/core/membership/add/", "/admin/core/user/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(owed), url
    assert "_auth_user_id" in client.session  # still the same (held) session throughout
    assert not ApiToken.objects.exists()


# --------------------------------------------------------------------------------- /admin/


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("demo-superuser", "root@example.invalid", PASSWORD)


@pytest.mark.django_db
def test_admin_login_with_the_password_alone_gives_no_admin_session(
    client, superuser, sensitive, rotherham
):
    key, _ = enable(client, "demo-superuser")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "demo-superuser", "password": PASSWORD, "next": "/admin/"},
    )
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    added = client.post(
        "/admin/core/membership/add/",
        {"user": superuser.pk, "partnership": rotherham.pk, "role": "admin"},
    )
    assert added.status_code == 302
    assert not Membership.objects.filter(user=superuser).exists()
    assert client.get("/p/rotherham/datasets/domestic-abuse/").status_code != 200
    # /admin/login/ is the app's sign-in, and with the code it gives the admin.
    assert response.status_code == 302
    login_page = client.get("/admin/login/?next=/admin/")
    assert login_page["Location"] == "/sign-in/?next=%2Fadmin%2F"
    client.post(
        "/sign-in/", {"username": "demo-superuser", "password": PASSWORD, "next": "/admin/"}
    )
    # The step after the one the set-up confirmed, whatever the clock did since (a slow
    # machine may cross a 30-second step between set-up and here).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    last_t = TOTPDevice.objects.get(user=superuser, confirmed=True).last_t
    done = client.post(CODE_STEP, {"code": code_at(key, (last_t + 1) * 30)})
    assert done.status_code == 302, done.content.decode()[-1500:]
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_sign_in_without_a_device_still_goes_through_the_app(client, superuser):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    client.post("/admin/login/", {"username": "demo-superuser", "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # the admin's own form is gone
    client.post("/sign-in/", {"username": "demo-superuser", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200


# ------------------------------------------------------------------- wrong codes and locks


@pytest.mark.django_db
def test_wrong_codes_across_fresh_sign_ins_lock_the_account(client, rotherham, members, settings):
    key, _ = enable(client, "rotherham-admin")
    wrong = wrong_code(key)
    tried = 0
    for _ in range(3):  # three fresh sign-ins with the right password, two wrong codes each
        sign_in(client, "rotherham-admin")
        for _ in range(2):
            client.post(CODE_STEP, {"code": wrong})
            tried += 1
    assert tried == 6 > settings.AXES_FAILURE_LIMIT
    locked = sign_in(client, "rotherham-admin")
    assert locked.status_code == 429, "the right password is refused once the codes are used up"
    assert "Sign-in locked" in locked.content.decode()
    client.post(CODE_STEP, {"code": code_at(key, time.time() + 30)})
    assert "_auth_user_id" not in client.session
    assert client.get("/p/rotherham/").status_code == 302


@pytest.mark.django_db
def test_a_locked_account_refuses_even_the_right_code_in_a_pending_sign_in(
    client, rotherham, members, settings
):
    key, _ = enable(client, "rotherham-analyst")
    sign_in(client, "rotherham-analyst")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(CODE_STEP, {"code": wrong_code(key)})
    client.post(CODE_STEP, {"code": code_at(key, time.time() + 30)})
    assert "_auth_user_id" not in client.session
    assert client.get("/p/rotherham/").status_code == 302


# -------------------------------------------------------------- old devices keep working


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_old_devices_working(rotherham, members):
    """A device made by the hand-written TOTP (base32 secret) moves to django-otp: a code
    computed from the old secret verifies after the migration, a used step stays used."""
    from saferstat.core import twofactor

    old_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    analyst = members["analyst"]
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0003_two_factor")])
    old_apps = executor.loader.project_state([("core", "0003_two_factor")]).apps
    old_model = old_apps.get_model("core", "TwoFactorDevice")
    used_step = int(time.time() // 30) - 1
    old_model.objects.create(
        user_id=analyst.pk,
        secret=old_secret,
        confirmed_at="2026-01-01T00:00:00Z",
        last_step=used_step,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert twofactor.has_two_factor(analyst)
    device = twofactor.confirmed_totp(analyst)
    assert twofactor.base32_key(device) == old_secret
    assert twofactor.check_code(None, analyst, code_at(old_secret, used_step * 30)).outcome is (
        twofactor.Outcome.WRONG
    ), "a step used before the move stays used"
    time.sleep(1.1)  # django-otp's back-off after that wrong code
    now = twofactor.check_code(None, analyst, code_at(old_secret, time.time()))
    assert now.outcome is twofactor.Outcome.OK
