"""Column mappings: the MSDS preset as is, and a YAML mapping for a local extract."""

from __future__ import annotations

import pytest
from ingest_helpers import pseudo, write_csv

from maternity_equity.ingest import load_extract
from maternity_equity.ingest.mapping import load_mapping, parse_mapping
from maternity_equity.warehouse import Warehouse

P, R = "Person_ID_Mother", "RPStartDate"


def _msds_fixture(folder):
    folder.mkdir()
    write_csv(
        folder / "MSD001MotherDemog.csv",
        [
            P,
            R,
            "RecordNumber",
            "LPIDMother",
            "NHSNumberMother",
            "PersonBirthDateMother",
            "Postcode",
            "EthnicCategoryMother",
            "OrgCodeProvider",
        ],
        [
            {
                P: "M1",
                R: "2024-03-01",
                "RecordNumber": "1",
                "NHSNumberMother": "9434765919",
                "PersonBirthDateMother": "1995-03-02",
                "Postcode": "LE2 2BB",
                "EthnicCategoryMother": "N",
            },
            {
                P: "M2",
                R: "2024-03-01",
                "RecordNumber": "2",
                "PersonBirthDateMother": "1996-02-31",
                "Postcode": "ZZ99 3WZ",
                "EthnicCategoryMother": "99",
            },
        ],
    )
    write_csv(
        folder / "MSD101PregnancyBooking.csv",
        [
            P,
            "UniqPregID",
            R,
            "RecordNumber",
            "OrgCodeProvider",
            "AntenatalAppDate",
            "EDDAgreed",
            "LastMenstrualPeriodDate",
            "ComplexSocialFactorsInd",
            "FolicAcidSupplement",
            "SmokingStatusBooking",
            "PreviousLiveBirths",
        ],
        [
            {
                P: "M1",
                "UniqPregID": "U1",
                R: "2024-03-01",
                "RecordNumber": "1",
                "OrgCodeProvider": "RWE",
                "AntenatalAppDate": "2024-03-01",
                "EDDAgreed": "2024-10-01",
                "ComplexSocialFactorsInd": "Y",
                "FolicAcidSupplement": "ZZ",
                "SmokingStatusBooking": "Non-Smoker / Ex-Smoker",
                "PreviousLiveBirths": "1",
            },
            {
                P: "M2",
                "UniqPregID": "U2",
                R: "2024-03-01",
                "RecordNumber": "2",
                "OrgCodeProvider": "RWE",
                "AntenatalAppDate": "2024-03-04",
                "LastMenstrualPeriodDate": "2024-01-01",
                "SmokingStatusBooking": "Smoker",
            },
        ],
    )
    write_csv(
        folder / "MSD102MatCarePlan.csv",
        [
            "MSD102_ID",
            "UniqPregID",
            R,
            "CarePlanType",
            "CarePlanDate",
            "ContCarePathInd",
            "MatPersCarePlanInd",
            "CareProfLID",
            "TeamLocalID",
        ],
        [
            {
                "MSD102_ID": "1001",
                "UniqPregID": "U1",
                R: "2024-03-01",
                "CarePlanType": "05",
                "CarePlanDate": "2024-03-01",
                "ContCarePathInd": "Y",
                "MatPersCarePlanInd": "Y",
                "CareProfLID": "MW7",
                "TeamLocalID": "TEAM-A",
            }
        ],
    )
    write_csv(
        folder / "MSD201CareContactPreg.csv",
        ["CareConID", "UniqPregID", R, "CContactDate", "AttendCode", "Medium"],
        [
            {
                "CareConID": "CC1",
                "UniqPregID": "U1",
                R: "2024-03-01",
                "CContactDate": "2024-03-08",
                "AttendCode": "5",
                "Medium": "01",
            },
            {
                "CareConID": "CC2",
                "UniqPregID": "U1",
                R: "2024-03-01",
                "CContactDate": "2024-03-15",
                "AttendCode": "3",
                "Medium": "04",
            },
        ],
    )
    write_csv(
        folder / "MSD202CareActivityPreg.csv",
        ["CareConID", "CareProfLID", "TeamLocalID"],
        [{"CareConID": "CC1", "CareProfLID": "MW7", "TeamLocalID": "TEAM-A"}],
    )
    write_csv(
        folder / "MSD301LabourDelivery.csv",
        [
            "LabourDeliveryID",
            "UniqPregID",
            R,
            "LabourOnsetDate",
            "CaesareanDate",
            "BirthsPerLabandDel",
        ],
        [
            {
                "LabourDeliveryID": "L1",
                "UniqPregID": "U1",
                R: "2024-10-01",
                "CaesareanDate": "2024-09-28",
                "BirthsPerLabandDel": "1",
            }
        ],
    )
    write_csv(
        folder / "MSD401BabyDemographics.csv",
        [
            "Person_ID_Baby",
            "LabourDeliveryID",
            "UniqPregID",
            R,
            "PersonBirthDateBaby",
            "PregOutcome",
            "GestationLengthBirth",
            "BabyFirstFeedIndCode",
        ],
        [
            {
                "Person_ID_Baby": "BB1",
                "LabourDeliveryID": "L1",
                "UniqPregID": "U1",
                R: "2024-10-01",
                "PersonBirthDateBaby": "2024-09-28",
                "PregOutcome": "01",
                "GestationLengthBirth": "277",
                "BabyFirstFeedIndCode": "01",
            }
        ],
    )
    write_csv(
        folder / "MSD405CareActivityBaby.csv",
        ["Person_ID_Baby", "ObsCode", "ObsValue", "UCUMUnit"],
        [
            {"Person_ID_Baby": "BB1", "ObsCode": "364589006", "ObsValue": "3.21", "UCUMUnit": "kg"},
            {"Person_ID_Baby": "BB1", "ObsCode": "251900003", "ObsValue": "2", "UCUMUnit": "ppm"},
        ],
    )
    return folder


def test_msds_preset_loads_an_msds_export_without_configuration(tmp_path, geography):
    extract = _msds_fixture(tmp_path / "msds")
    with (extract / "MSD001MotherDemog.csv").open("a", encoding="utf-8") as handle:
        handle.write("M9,2024-03-01\n")  # row 4: a broken line in a side file
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        mapping="msds",
        key="k",
        progress=False,
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        preg = wh.to_pandas("pregnancies").set_index("pregnancy_id")
        contacts = wh.to_pandas("care_contacts").set_index("contact_id")
        delivery = wh.to_pandas("deliveries").iloc[0]
        baby = wh.to_pandas("babies").iloc[0]
        plan = wh.to_pandas("care_plans").iloc[0]
    # M2's date of birth (31 February) is in MSD001 row 3: the problem points there
    q = report.quarantine
    assert q[["file", "row_number", "column", "source_column", "rule"]].values.tolist() == [
        ["MSD001MotherDemog.csv", 3, "mother_birth_date", "PersonBirthDateMother", "invalid_date"]
    ]
    assert (
        q["message"]
        .iloc[0]
        .startswith(
            "MSD001MotherDemog.csv row 3, column PersonBirthDateMother (mother_birth_date): "
        )
    )
    u1 = preg.loc[pseudo("U1", "pregnancy_id", "k")]
    assert u1["mother_id"] == pseudo("nhs:9434765919", "mother", "k")
    assert (u1["ethnic_category"], u1["postcode_status"], u1["imd_decile"]) == ("N", "valid", 10)
    assert u1["age_at_booking"] == 28  # born 1995-03-02, booked 2024-03-01: day before birthday
    assert u1["gestation_at_booking_days"] == 66
    assert (u1["folic_acid"], u1["smoking_at_booking"]) == ("ZZ", "non_smoker")
    assert u1["provider_code"] == "RWE"
    cc1 = contacts.loc[pseudo("CC1", "contact_id", "k")]
    cc2 = contacts.loc[pseudo("CC2", "contact_id", "k")]
    assert (cc1["attended"], cc1["medium"], cc1["team_id"]) == ("Y", "01", "TEAM-A")
    assert cc1["professional_id"] == pseudo("MW7", "professional_id", "k")
    assert (cc2["attended"], cc2["medium"]) == ("N", "98")
    assert str(delivery["delivery_date"])[:10] == "2024-09-28"  # from CaesareanDate
    assert baby["birth_weight_g"] == 3210  # 3.21 kg
    assert (plan["coc_pathway"], plan["team_id"]) == ("Y", "TEAM-A")
    assert report.reconciles()
    assert any(
        n.startswith("MSD001MotherDemog.csv row 4: 2 fields where the header has 9")
        for n in report.notes
    )


YAML = """
name: st-elsewhere
date_formats: ["%d/%m/%Y"]
tables:
  pregnancies:
    files: ["Bookings_*.csv"]
    columns:
      pregnancy_id: PregRef
      mother_id: MRN
      rp_start_date: Period
      booking_date: BookedOn
      edd: [EDD_Scan, EDD_LMP]
      mother_birth_date: DOB
      ethnic_category: Ethnicity
      postcode: PostCode
    constants:
      provider_code: RXX
    values:
      ethnic_category: {WBRI: A, PKST: J, NOTSTATED: Z}
    column_date_formats:
      rp_start_date: ["%Y-%m"]
"""


def test_yaml_mapping_renames_translates_and_parses_local_formats(tmp_path, geography):
    extract = tmp_path / "local"
    extract.mkdir()
    write_csv(
        extract / "Bookings_2024-03.csv",
        [
            "PregRef",
            "MRN",
            "Period",
            "BookedOn",
            "EDD_Scan",
            "EDD_LMP",
            "DOB",
            "Ethnicity",
            "PostCode",
            "Consultant",
        ],
        [
            {
                "PregRef": "X1",
                "MRN": "H1",
                "Period": "2024-03",
                "BookedOn": "01/03/2024",
                "EDD_Scan": "",
                "EDD_LMP": "01/10/2024",
                "DOB": "15/06/1990",
                "Ethnicity": "pkst",
                "PostCode": "LE1 1AA",
                "Consultant": "Dr A",
            },
            {
                "PregRef": "X2",
                "MRN": "H2",
                "Period": "2024-03",
                "BookedOn": "2024-03-01",
                "DOB": "15/06/1990",
                "Ethnicity": "WBRI",
            },
        ],
    )
    (tmp_path / "trust.yaml").write_text(YAML, encoding="utf-8")
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        mapping=tmp_path / "trust.yaml",
        key="k",
        progress=False,
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        preg = wh.to_pandas("pregnancies")
    assert len(preg) == 1
    row = preg.iloc[0]
    assert (row["ethnic_category"], row["provider_code"]) == ("J", "RXX")
    assert row["gestation_at_booking_days"] == 66 and row["age_at_booking"] == 33
    assert str(row["rp_start_date"])[:10] == "2024-03-01"
    # the trust's own column first, the canonical name beside it
    assert report.quarantine["message"].tolist() == [
        "Bookings_2024-03.csv row 3, column BookedOn (booking_date): '2024-03-01' is not a "
        "valid date (expected DD/MM/YYYY)"
    ]
    assert report.quarantine[["column", "source_column"]].values.tolist() == [
        ["booking_date", "BookedOn"]
    ]
    # "Consultant" is no column of the model: said once, as a note, not quarantined
    unused = "Bookings_2024-03.csv: columns not used by the mapping (ignored): Consultant"
    assert report.notes.count(unused) == 1
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert unused in wh.latest_run("ingest")["counts"]["notes"]


def test_mapping_mistakes_are_reported_by_name(tmp_path):
    with pytest.raises(ValueError, match="unknown table 'bookings'"):
        parse_mapping({"tables": {"bookings": {}}}, source="x.yaml")
    with pytest.raises(ValueError, match=r"pregnancies.columns: \['due_date'\]"):
        parse_mapping({"tables": {"pregnancies": {"columns": {"due_date": "EDD"}}}})
    with pytest.raises(ValueError, match="not a preset"):
        load_mapping(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("tables: [unclosed", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml: not valid YAML"):
        load_mapping(tmp_path / "bad.yaml")


def test_the_documented_example_mapping_is_valid():
    """docs/mapping.md's example must keep working as the format evolves."""
    import re
    from pathlib import Path

    import yaml

    doc = Path(__file__).resolve().parents[2] / "docs" / "mapping.md"
    block = re.search(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S).group(1)
    mapping = parse_mapping(yaml.safe_load(block), source="mapping.md")
    preg = mapping.tables["pregnancies"]
    assert preg.sources_for("edd") == ("EDD_Scan", "EDD_LMP")
    assert preg.joins[0].on == {"MRN": "MotherMRN"}
    assert mapping.tables["care_contacts"].values["medium"]["Telephone"] == "02"


def test_messages_name_the_sheet_and_the_column_the_value_was_in(tmp_path, geography):
    """A workbook sheet and two columns for one canonical column (first non-empty wins): each
    problem names the sheet and the column that held the value, as the data manager sees it."""
    from openpyxl import Workbook

    extract = tmp_path / "local"
    extract.mkdir()
    book = Workbook()
    book.active.title = "Cover"
    sheet = book.create_sheet("Bookings")
    sheet.append(["PregRef", "MRN", "Period", "BookedOn", "EDD_Scan", "EDD_LMP", "DOB", "Notes"])
    sheet.append(["X1", "H1", "2024-03", "01/03/2024", "", "1/10/2024", "15/06/1990", "ok"])
    sheet.append(["X2", "H2", "2024-03", "01/03/2024", "31/09/2024", "", "15/06/1990", ""])
    sheet.append(["X3", "H3", "2024-03", "01/03/2024", "", "10-01-2024", "15/06/1990", ""])
    sheet.append(["X4", "H4", "2024-03", "", "", "", "15/06/1990", ""])
    book.save(extract / "Bookings_2024.xlsx")
    (tmp_path / "trust.yaml").write_text(
        YAML.replace(
            'files: ["Bookings_*.csv"]', 'files: ["Bookings_*.xlsx"]\n    sheet: Bookings'
        ),
        encoding="utf-8",
    )
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        mapping=tmp_path / "trust.yaml",
        key="k",
        progress=False,
    )
    where = "Bookings_2024.xlsx sheet Bookings"
    # row 3: the scan EDD holds 31 September; row 4: only the LMP-based EDD, in a wrong format
    assert report.quarantine["message"].tolist() == [
        f"{where} row 5, column BookedOn (booking_date): this field is required (Date of the "
        "booking appointment) but is empty",
        f"{where} row 3, column EDD_Scan (edd): '31/09/2024' is not a valid date (expected "
        "DD/MM/YYYY)",
        f"{where} row 4, column EDD_LMP (edd): '10-01-2024' is not a valid date (expected "
        "DD/MM/YYYY)",
    ]
    assert report.quarantine["source_column"].tolist() == ["BookedOn", "EDD_Scan", "EDD_LMP"]
    assert report.counts["file"].tolist() == [where]
    assert f"{where}: columns not used by the mapping (ignored): Notes" in report.notes
