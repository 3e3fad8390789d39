"""The 43 territorial police forces of England and Wales and the areas each polices.

police.uk publishes one street file per force and month (``YYYY-MM-<force-slug>-street.csv``);
the synthetic national data set (``bench/generate.py``) needs to know which LSOAs each force's
files cover. ONS publishes a local authority -> Community Safety Partnership -> police force
area lookup, but it is not in ``demo_data/ons``, so this table gives each force its upper-tier
authorities (``UTLANM`` in ``demo_data/ons/la_all_codes.csv``; a county's districts follow
their county). Every London borough except the City of London is the Metropolitan Police
(``RGNNM`` = London). ``tests/bench/test_generate.py`` checks that every local authority of
the LSOA 2021 lookup falls in exactly one force.
"""

from __future__ import annotations

#: slug -> (name as police.uk prints it in "Reported by"/"Falls within", upper-tier areas)
FORCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "avon-and-somerset": (
        "Avon and Somerset Constabulary",
        (
            "Bath and North East Somerset",
            "Bristol, City of",
            "North Somerset",
            "South Gloucestershire",
            "Somerset",
        ),
    ),
    "bedfordshire": ("Bedfordshire Police", ("Bedford", "Central Bedfordshire", "Luton")),
    "cambridgeshire": ("Cambridgeshire Constabulary", ("Cambridgeshire", "Peterborough")),
    "cheshire": (
        "Cheshire Constabulary",
        ("Cheshire East", "Cheshire West and Chester", "Halton", "Warrington"),
    ),
    "city-of-london": ("City of London Police", ("City of London",)),
    "cleveland": (
        "Cleveland Police",
        ("Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees"),
    ),
    "cumbria": ("Cumbria Constabulary", ("Cumberland", "Westmorland and Furness")),
    "derbyshire": ("Derbyshire Constabulary", ("Derby", "Derbyshire")),
    "devon-and-cornwall": (
        "Devon & Cornwall Police",
        ("Cornwall", "Devon", "Isles of Scilly", "Plymouth", "Torbay"),
    ),
    "dorset": ("Dorset Police", ("Bournemouth, Christchurch and Poole", "Dorset")),
    "durham": ("Durham Constabulary", ("County Durham", "Darlington")),
    "dyfed-powys": (
        "Dyfed-Powys Police",
        ("Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys"),
    ),
    "essex": ("Essex Police", ("Essex", "Southend-on-Sea", "Thurrock")),
    "gloucestershire": ("Gloucestershire Constabulary", ("Gloucestershire",)),
    "greater-manchester": (
        "Greater Manchester Police",
        (
            "Bolton",
            "Bury",
            "Manchester",
            "Oldham",
            "Rochdale",
            "Salford",
            "Stockport",
            "Tameside",
            "Trafford",
            "Wigan",
        ),
    ),
    "gwent": (
        "Gwent Police",
        ("Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen"),
    ),
    "hampshire": (
        "Hampshire Constabulary",
        ("Hampshire", "Isle of Wight", "Portsmouth", "Southampton"),
    ),
    "hertfordshire": ("Hertfordshire Constabulary", ("Hertfordshire",)),
    "humberside": (
        "Humberside Police",
        (
            "East Riding of Yorkshire",
            "Kingston upon Hull, City of",
            "North East Lincolnshire",
            "North Lincolnshire",
        ),
    ),
    "kent": ("Kent Police", ("Kent", "Medway")),
    "lancashire": ("Lancashire Constabulary", ("Blackburn with Darwen", "Blackpool", "Lancashire")),
    "leicestershire": ("Leicestershire Police", ("Leicester", "Leicestershire", "Rutland")),
    "lincolnshire": ("Lincolnshire Police", ("Lincolnshire",)),
    "merseyside": (
        "Merseyside Police",
        ("Knowsley", "Liverpool", "Sefton", "St. Helens", "Wirral"),
    ),
    "metropolitan": ("Metropolitan Police Service", ()),  # every London borough but the City
    "norfolk": ("Norfolk Constabulary", ("Norfolk",)),
    "north-wales": (
        "North Wales Police",
        ("Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Wrexham"),
    ),
    "north-yorkshire": ("North Yorkshire Police", ("North Yorkshire", "York")),
    "northamptonshire": (
        "Northamptonshire Police",
        ("North Northamptonshire", "West Northamptonshire"),
    ),
    "northumbria": (
        "Northumbria Police",
        (
            "Gateshead",
            "Newcastle upon Tyne",
            "North Tyneside",
            "Northumberland",
            "South Tyneside",
            "Sunderland",
        ),
    ),
    "nottinghamshire": ("Nottinghamshire Police", ("Nottingham", "Nottinghamshire")),
    "south-wales": (
        "South Wales Police",
        (
            "Bridgend",
            "Cardiff",
            "Merthyr Tydfil",
            "Neath Port Talbot",
            "Rhondda Cynon Taf",
            "Swansea",
            "Vale of Glamorgan",
        ),
    ),
    "south-yorkshire": (
        "South Yorkshire Police",
        ("Barnsley", "Doncaster", "Rotherham", "Sheffield"),
    ),
    "staffordshire": ("Staffordshire Police", ("Staffordshire", "Stoke-on-Trent")),
    "suffolk": ("Suffolk Constabulary", ("Suffolk",)),
    "surrey": ("Surrey Police", ("Surrey",)),
    "sussex": ("Sussex Police", ("Brighton and Hove", "East Sussex", "West Sussex")),
    "thames-valley": (
        "Thames Valley Police",
        (
            "Bracknell Forest",
            "Buckinghamshire",
            "Milton Keynes",
            "Oxfordshire",
            "Reading",
            "Slough",
            "West Berkshire",
            "Windsor and Maidenhead",
            "Wokingham",
        ),
    ),
    "warwickshire": ("Warwickshire Police", ("Warwickshire",)),
    "west-mercia": (
        "West Mercia Police",
        ("Herefordshire, County of", "Shropshire", "Telford and Wrekin", "Worcestershire"),
    ),
    "west-midlands": (
        "West Midlands Police",
        ("Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"),
    ),
    "west-yorkshire": (
        "West Yorkshire Police",
        ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"),
    ),
    "wiltshire": ("Wiltshire Police", ("Swindon", "Wiltshire")),
}

METROPOLITAN = "metropolitan"
LONDON_REGION = "London"


def force_of(utla_name: str, region_name: str) -> str | None:
    """The force slug policing an upper-tier authority, or None if the table has none."""
    for slug, (_name, areas) in FORCES.items():
        if utla_name in areas:
            return slug
    if region_name == LONDON_REGION:
        return METROPOLITAN
    return None
