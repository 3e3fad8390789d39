from django.contrib.auth import views as auth_views
from django.urls import path

from . import twofactor_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("glossary/", views.glossary, name="glossary"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accessibility/edit/", views.accessibility_edit, name="accessibility_edit"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("health/", views.health, name="health"),
    path("sign-in/", twofactor_views.TwoStepLoginView.as_view(), name="login"),
    path("sign-in/code/", twofactor_views.login_code, name="login_code"),
    path("account/two-factor/", twofactor_views.two_factor, name="two_factor"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("p/<slug:slug>/", views.partnership_home, name="partnership_home"),
    path("p/<slug:slug>/audit/", views.audit_log, name="audit_log"),
    path("p/<slug:slug>/publish/", views.partnership_publish, name="partnership_publish"),
    path("p/<slug:slug>/privacy/", views.privacy_notice, name="privacy_notice"),
    path("p/<slug:slug>/privacy/edit/", views.privacy_notice_edit, name="privacy_notice_edit"),
    path("p/<slug:slug>/neighbours/", views.neighbour_group, name="neighbour_group"),
    path("p/<slug:slug>/logo/", views.partnership_logo, name="partnership_logo"),
]
