"""Sign-in with an optional second step, and the page to turn two-factor sign-in on or off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from . import twofactor

PENDING = "saferstat_2fa_pending"
MAX_CODE_FAILURES = 5


class TwoStepLoginView(LoginView):
    """Username and password; then, for users with two-factor sign-in, a code."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_two_factor(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "next": self.get_success_url(),
                "failures": 0,
            }
            return redirect("login_code")
        response = super().form_valid(form)
        if twofactor.must_use_two_factor(user):
            messages.warning(self.request, "Your role needs two-factor sign-in: set it up now.")
            return redirect("two_factor")
        return response


def login_code(request):
    """The second step: a code from the authenticator app, tried at most 5 times."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    error = None
    if request.method == "POST":
        if twofactor.two_factor_verify(user=user, code=request.POST.get("code", "")):
            request.session.pop(PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = pending.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
        pending["failures"] += 1
        if pending["failures"] >= MAX_CODE_FAILURES:
            request.session.pop(PENDING, None)
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("login")
        request.session[PENDING] = pending
        error = twofactor.ERR_WRONG
    return render(request, "core/login_code.html", {"error": error}, status=400 if error else 200)


@login_required
def two_factor(request):
    """Turn two-factor sign-in on (scan or type the key, confirm a code) or off."""
    user = request.user
    error = None
    device = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                device = twofactor.two_factor_start(user=user)
            elif action == "confirm":
                twofactor.two_factor_confirm(user=user, code=request.POST.get("code", ""))
                messages.success(request, "Two-factor sign-in is on.")
                return redirect("two_factor")
            elif action == "disable":
                twofactor.two_factor_disable(user=user, code=request.POST.get("code", ""))
                messages.success(request, "Two-factor sign-in is off.")
                return redirect("two_factor")
        except ValidationError as exc:
            error = exc.messages[0]
    if device is None:
        device = user.two_factor if hasattr(user, "two_factor") else None
    pending = device is not None and device.confirmed_at is None
    return render(
        request,
        "core/two_factor.html",
        {
            "enabled": twofactor.has_two_factor(user),
            "allowed": twofactor.may_use_two_factor(user),
            "required": twofactor.must_use_two_factor(user),
            "device": device if pending else None,
            "uri": twofactor.provisioning_uri(device) if pending else "",
            "error": error,
        },
        status=400 if error else 200,
    )
