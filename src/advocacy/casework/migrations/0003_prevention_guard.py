"""A case that needs a prevention step cannot reach resolved or closed without one, whatever the path.

The rule (casework.cases.services.prevention_required) reads the categories and priorities named in
the case settings; the triggers read the same settings row, so the admin, the shell and raw SQL are
held to the rule the case page enforces. Only the step from an open status to resolved or closed is
checked (and an insert that starts there): closing an already resolved case is never blocked by a
setting changed since.
"""

from django.db import migrations

MESSAGE = "this case needs a prevention step (root cause and corrective action) before it is resolved or closed"
DONE = "('resolved', 'closed')"

SQLITE_NEEDS = """(
    EXISTS (SELECT 1 FROM casework_casesettings s, json_each(s.prevention_categories) j WHERE j.value = NEW.category)
    OR EXISTS (SELECT 1 FROM casework_casesettings s, json_each(s.prevention_priorities) j WHERE j.value = NEW.priority)
) AND NOT EXISTS (SELECT 1 FROM casework_prevention p WHERE p.case_id = NEW.id)"""

SQLITE = [
    f"""CREATE TRIGGER casework_case_prevention_on_update BEFORE UPDATE OF status ON casework_case
    WHEN NEW.status IN {DONE} AND OLD.status NOT IN {DONE} AND {SQLITE_NEEDS}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER casework_case_prevention_on_insert BEFORE INSERT ON casework_case
    WHEN NEW.status IN {DONE} AND {SQLITE_NEEDS}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS casework_case_prevention_on_update",
    "DROP TRIGGER IF EXISTS casework_case_prevention_on_insert",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION casework_case_prevention_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN {DONE}
       AND (TG_OP = 'INSERT' OR OLD.status NOT IN {DONE})
       AND EXISTS (
           SELECT 1 FROM casework_casesettings s
           WHERE s.prevention_categories ? NEW.category OR s.prevention_priorities ? NEW.priority
       )
       AND NOT EXISTS (SELECT 1 FROM casework_prevention p WHERE p.case_id = NEW.id)
    THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$""",
    """CREATE TRIGGER casework_case_prevention_guard BEFORE INSERT OR UPDATE OF status ON casework_case
    FOR EACH ROW EXECUTE FUNCTION casework_case_prevention_guard()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS casework_case_prevention_guard ON casework_case",
    "DROP FUNCTION IF EXISTS casework_case_prevention_guard()",
]


def run(statements: dict[str, list[str]]):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_queue_and_breach_indexes")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
