"""The ``plan`` and ``workforce`` commands end to end on a SQLite file."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from maternity_equity.plan import commands as plan_commands
from maternity_equity.plan.yaml_io import parse_yaml
from maternity_equity.workforce import commands as workforce_commands


def _app() -> typer.Typer:
    app = typer.Typer()
    plan_commands.register(app)
    workforce_commands.register(app)
    return app


def _run(*args: str):
    result = CliRunner().invoke(_app(), list(args), env={"COLUMNS": "200"})
    return result


def test_init_export_import_round_trip(tmp_path):
    db1 = f"sqlite:///{tmp_path / 'one.sqlite'}"
    db2 = f"sqlite:///{tmp_path / 'two.sqlite'}"
    assert _run("plan", "init", "--db", db1, "--example", "--user", "demo").exit_code == 0
    out1, out2 = tmp_path / "one.yaml", tmp_path / "two.yaml"
    assert _run("plan", "export", str(out1), "--db", db1).exit_code == 0
    result = _run("plan", "import", str(out1), "--db", db2)
    assert result.exit_code == 0, result.output
    # 23 interventions and 27 actions, counted in the example file with grep.
    assert "23 interventions, 27 actions" in result.output
    assert _run("plan", "export", str(out2), "--db", db2).exit_code == 0
    assert out1.read_text() == out2.read_text()
    assert parse_yaml(out1.read_text())["plan"]["lmns_name"] == "Riverside and Downs LMNS"


def test_actions_assets_returns_and_wres(tmp_path):
    db = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    assert _run("plan", "init", "--db", db, "--example").exit_code == 0

    result = _run("plan", "actions", "--overdue", "--today", "2025-04-01", "--db", db)
    assert result.exit_code == 0 and "10 action(s)" in result.output

    result = _run("plan", "assets", "search", "debt advice", "--db", db)
    assert "Eastgate Money Advice" in result.output and "2 asset(s)" in result.output
    result = _run("plan", "assets", "search", "food", "--language", "Polish", "--area", "RV1",
                  "--db", db)  # fmt: skip
    assert "Millbrook Community Pantry" in result.output and "1 asset(s)" in result.output

    template = tmp_path / "pmrt.csv"
    assert _run("plan", "returns", "template", "pmrt_ethnicity", str(template)).exit_code == 0
    with template.open("a") as handle:
        handle.write("2024-04-01,2025-03-31,lmns,QXX,5,9\n")  # 9 valid of 5 reviews: rejected
    result = _run("plan", "returns", "load", "pmrt_ethnicity", str(template), "--db", db)
    assert result.exit_code == 1  # some rows rejected
    assert "row 3, column with_valid_ethnicity: must not exceed reviews" in result.output
    assert "1 of 2 rows accepted" in result.output

    engine_csv = tmp_path / "returns.csv"
    result = _run("plan", "returns", "export", str(engine_csv), "--db", db)
    assert result.exit_code == 0
    text = engine_csv.read_text()
    assert "p4d_pmrt_valid_ethnicity" in text and "p4d_wres_9" in text

    result = _run("workforce", "wres", "--db", db)
    assert result.exit_code == 0 and "WRES RXX" in result.output and "1.31-3.06" in result.output

    result = _run("plan", "history", "--entity", "return_loads", "--db", db)
    assert "insert return_loads 1" in result.output


def test_errors_are_plain_messages(tmp_path):
    db = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: maternity-equity-plan/1\nplan: {title: ''}\n")
    result = _run("plan", "import", str(bad), "--db", db)
    assert result.exit_code == 2 and "plan.title: is required" in result.output
    result = _run("plan", "export", str(tmp_path / "x.yaml"), "--db", db)
    assert result.exit_code == 2 and "no plan yet" in result.output


def test_workforce_load_reports_errors_and_loads_returns(tmp_path):
    db = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    good = tmp_path / "wres.yaml"
    good.write_text(
        "- organisation_code: SYN02\n"
        "  period_start: 2024-04-01\n"
        "  period_end: 2025-03-31\n"
        "  recruitment:\n"
        "    - {ethnic_group: White, shortlisted: 50, appointed: 20}\n"
        "    - {ethnic_group: BME, shortlisted: 40, appointed: 8}\n"
    )
    result = _run("workforce", "load", str(good), "--db", db, "--user", "hr")
    assert result.exit_code == 0 and "SYN02 2024-04-01" in result.output
    # (20/50) / (8/40) = 0.4 / 0.2 = 2.00
    result = _run("workforce", "wres", "--db", db)
    assert "WRES SYN02" in result.output and "2.00" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("appointed: 8", "appointed: 80"))
    result = _run("workforce", "load", str(bad), "--db", db)
    assert result.exit_code == 2 and "appointed: 80 is more than shortlisted 40" in result.output
