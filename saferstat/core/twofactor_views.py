"""Sign-in with a second step, and the page to set up two-factor sign-in.

A user with a confirmed device is not signed in (`login()` is not called) until their code
is right: the password step only remembers who is part-way through. A user who must use
two-factor sign-in but has no device yet is signed in, and `TwoFactorMiddleware` keeps that
session to the set-up page (and sign-out) until a device is confirmed.
"""

from __future__ import annotations

import time

import django_otp
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from . import twofactor

PENDING = "saferstat_2fa_pending"
#: A password step is good for this long; then the user signs in again.
PENDING_SECONDS = 5 * 60
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class TwoStepLoginView(LoginView):
    """Username and password; then, for users with two-factor sign-in, a code."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_two_factor(user):
            # Not signed in yet: a fresh session remembers only who passed the password.
            self.request.session.cycle_key()
            self.request.session[PENDING] = {
                "user": user.pk,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("login_code")
        response = super().form_valid(form)
        if twofactor.must_use_two_factor(user):
            messages.warning(self.request, "Your role needs two-factor sign-in: set it up now.")
            return redirect("two_factor")
        return response


def _code_user(request):
    """Who is entering a code: the part-way sign-in, or a signed-in session that owes one."""
    pending = request.session.get(PENDING)
    if pending:
        if time.time() - pending.get("at", 0) > PENDING_SECONDS:
            request.session.pop(PENDING, None)
            return None, None
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        if user is not None:
            return user, pending
        request.session.pop(PENDING, None)
    if request.user.is_authenticated and not request.user.is_verified():
        if twofactor.has_two_factor(request.user):
            return request.user, {"next": request.GET.get("next")}
    return None, None


def login_code(request):
    """The second step: a code from the authenticator app, or a recovery code."""
    user, pending = _code_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect("home")
        return redirect("login")
    error = None
    if request.method == "POST":
        result = twofactor.check_code(request, user, request.POST.get("code", ""))
        if result.outcome is twofactor.Outcome.OK:
            request.session.pop(PENDING, None)
            if not request.user.is_authenticated or request.user.pk != user.pk:
                login(request, user, backend=BACKEND)
            django_otp.login(request, result.device)
            if isinstance(result.device, twofactor.StaticDevice):
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code. {left} left: make new ones on the "
                    "two-factor page if you are running out.",
                )
            return redirect(_safe_next(request, pending.get("next")))
        if result.outcome is twofactor.Outcome.LOCKED:
            request.session.pop(PENDING, None)
            return get_lockout_response(request, None, {"username": user.get_username()})
        error = twofactor.message_for(result.outcome)
    status = 200
    if error:
        status = 429 if error == twofactor.ERR_WAIT else 400
    return render(request, "core/login_code.html", {"error": error}, status=status)


@login_required
def two_factor(request):
    """Turn two-factor sign-in on (scan or type the key, confirm a code) or off; recovery codes."""
    user = request.user
    error = None
    device = None
    recovery_codes = None
    verified = user.is_verified()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                device = twofactor.two_factor_start(user=user)
            elif action == "confirm":
                device, recovery_codes = twofactor.two_factor_confirm(
                    user=user, code=request.POST.get("code", "")
                )
                # Setting up the device is the second factor for this session.
                django_otp.login(request, device)
                messages.success(request, "Two-factor sign-in is on.")
                device = None
            elif action in ("disable", "recovery") and not verified:
                # Only a session that passed its second factor (the middleware sends the
                # others to the code step) may change a confirmed device.
                raise ValidationError("Sign in with your code first.")
            elif action == "disable":
                twofactor.two_factor_disable(
                    user=user, code=request.POST.get("code", ""), request=request
                )
                messages.success(request, "Two-factor sign-in is off.")
                return redirect("two_factor")
            elif action == "recovery":
                recovery_codes = twofactor.recovery_codes_regenerate(user=user)
        except ValidationError as exc:
            error = exc.messages[0]
            status = 429 if error == twofactor.ERR_WAIT else 400
    if device is None and recovery_codes is None:
        device = twofactor.TOTPDevice.objects.filter(user=user, confirmed=False).first()
    pending = device is not None and not device.confirmed
    return render(
        request,
        "core/two_factor.html",
        {
            "enabled": twofactor.has_two_factor(user),
            "allowed": twofactor.may_use_two_factor(user),
            "required": twofactor.must_use_two_factor(user),
            "key": twofactor.base32_key(device) if pending else "",
            "uri": twofactor.provisioning_uri(device) if pending else "",
            "qr": twofactor.qr_svg_data_uri(device) if pending else "",
            "recovery_codes": recovery_codes,
            "recovery_left": twofactor.recovery_codes_left(user),
            "error": error,
        },
        status=status,
    )
