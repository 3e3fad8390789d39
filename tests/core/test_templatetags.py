from saferstat.core.templatetags.saferstat import decimal, months_list, signed_pct


def test_months_list_collapses_runs():
    assert months_list(["2019-07"]) == "July 2019"
    assert (
        months_list(["2023-06", "2023-04", "2023-05", "2023-09"])
        == "April 2023 to June 2023, September 2023"
    )
    assert months_list(["2023-12", "2024-01"]) == "December 2023 to January 2024"
    assert months_list([]) == ""


def test_number_formats_show_gaps_as_dashes():
    assert decimal(None) == "–"
    assert decimal(1234.567, 1) == "1,234.6"
    assert signed_pct(None) == "–"
    assert signed_pct(5.0) == "+5.0%"
    assert signed_pct(-2.26) == "-2.3%"
    assert signed_pct(float("inf")) == "new"
