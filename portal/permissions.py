"""View guards by role. A signed-in user without the role gets 404 (DESIGN.md §2); an
officer without MFA is sent to set it up first."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import get_actor, needs_mfa


def _guard(test):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # Staff without a second factor first: their powers are withheld until they
            # set it up (portal.roles.withhold_staff_powers), so the role test below would
            # answer 404 where setting up TOTP is what they need.
            if needs_mfa(user):
                messages.warning(
                    request,
                    _("Staff accounts must set up two-step verification before continuing."),
                )
                return redirect("mfa_activate_totp")
            if not test(get_actor(user)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


officer_required = _guard(lambda actor: actor.is_officer)
# The authority, a province's officers and consumer associations: who may open complaints.
complaint_handler_required = _guard(lambda actor: actor.handles_complaints)
ministry_required = _guard(lambda actor: actor.is_ministry)
business_member_required = _guard(lambda actor: actor.is_business_member)
login_required = _guard(lambda actor: True)


def hidden_from_public(view):
    """For pages whose very address is private (a report, its files): the public gets 404,
    like any other wrong role, rather than a login redirect that confirms the page exists.
    Put it outside a role guard: ``@hidden_from_public`` then ``@officer_required``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
