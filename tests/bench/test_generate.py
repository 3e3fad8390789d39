"""The synthetic national data generator (bench/generate.py), at a tiny scale."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest

from bench import generate as gen
from bench.forces import FORCES
from saferstat.analytics.policeuk import CRIME_TYPES, read_street_file

FORCES_USED = ["south-yorkshire", "city-of-london"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = {}
    for run in ("a", "b"):
        folder = tmp_path_factory.mktemp(f"gen-{run}")
        summary = gen.generate(
            folder, scale=0.05, years=1, seed=7, forces=FORCES_USED, workers=1, gzip_level=6
        )
        out[run] = (folder, summary)
    return out


def digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.glob("*-street.csv*"))
    }


def test_every_local_authority_has_one_of_the_43_forces():
    assert len(FORCES) == 43
    by_lad = gen.lad_forces(gen.DEFAULT_ONS)
    assert len(by_lad) == 318
    assert set(by_lad.values()) == set(FORCES)
    assert by_lad["E08000018"] == "south-yorkshire"  # Rotherham
    assert by_lad["E09000001"] == "city-of-london"
    assert by_lad["E09000033"] == "metropolitan"  # Westminster
    assert by_lad["E06000006"] == "cheshire"  # Halton, not Merseyside


def test_files_are_named_like_police_uk_and_pass_the_validator(generated):
    folder, summary = generated["a"]
    files = sorted(folder.glob("*-street.csv.gz"))
    assert len(files) == summary["files"] == 2 * 12
    assert files[0].name == "2024-10-city-of-london-street.csv.gz"
    rows = 0
    for path in files:
        street = read_street_file(path)
        assert not street.careful  # the fast path accepted it as it is
        assert street.rows == summary["rows_per_file"][path.name]
        rows += street.rows
        table = street.table
        asb = table.filter(
            table.column("crime_type").to_numpy(zero_copy_only=False) == "Anti-social behaviour"
        )
        assert asb.column("crime_id").null_count == asb.num_rows  # ASB: blank Crime ID
    assert rows == summary["rows"]
    text = gzip.decompress(files[-1].read_bytes()).decode()
    assert text.startswith("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,")
    assert ",No Location,,," in text  # records without a location, as police.uk writes them


def test_same_seed_same_bytes(generated):
    assert digest(generated["a"][0]) == digest(generated["b"][0])


def test_category_mix_and_no_location_share_follow_the_real_files(generated):
    folder, summary = generated["a"]
    shape = summary["shape"]
    counts = dict.fromkeys(CRIME_TYPES, 0)
    no_location = total = 0
    for path in folder.glob("*-south-yorkshire-street.csv.gz"):
        table = read_street_file(path).table
        for value in table.column("crime_type").to_pylist():
            counts[value] += 1
        no_location += table.column("lsoa_code").null_count
        total += table.num_rows
    assert total > 5_000
    got = np.array([counts[t] for t in CRIME_TYPES]) / total
    want = np.array(shape["type_share"])
    assert 0.5 * np.abs(got - want).sum() < 0.03  # total variation distance
    assert abs(no_location / total - shape["no_location_share"]) < 0.01
    assert abs(sum(want) - 1) < 1e-9
