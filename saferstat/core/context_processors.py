from .permissions import partnerships_for


def navigation(request):
    """The partnerships the signed-in user belongs to, for the header."""
    return {"my_partnerships": partnerships_for(getattr(request, "user", None))}
