"""Names every analytics module shares (one place, so the warehouse, the measures and the
partner counts cannot drift apart)."""

from __future__ import annotations

#: Dataset name of police.uk street-level crime in paths, the manifest and
#: ``loaded_partitions``.
STREET_DATASET = "policeuk_street"

#: Warehouse datasets of partner data are named ``partner_<partnership>_<dataset>``.
PARTNER_DATASET_PREFIX = "partner_"

#: Key used for records in the area whose LSOA (or ward) has no ward in the lookup.
NO_WARD = "(no ward)"

#: Crime type police.uk publishes for anti-social behaviour (an incident, not a crime).
ASB = "Anti-social behaviour"
