from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Partnership admin"
    ANALYST = "analyst", "Analyst"
    LEAD = "lead", "Priority lead"
    BOARD = "board", "Board member"
    SCRUTINY = "scrutiny", "Scrutiny member"


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Local authority"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    PROBATION = "probation", "Probation"
    HEALTH = "health", "Health (ICB)"
    PCC = "pcc", "Police and Crime Commissioner"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"
