"""The access log is append-only in the database itself, not only in the application: UPDATE
and DELETE on audit_accessevent are refused by triggers (T6, ASVS 16.4.2)."""

from __future__ import annotations

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_accessevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_accessevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_accessevent_refuse_change();
CREATE TRIGGER audit_accessevent_no_truncate BEFORE TRUNCATE ON audit_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_accessevent_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_accessevent_no_update ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accessevent_no_truncate ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_refuse_change();
"""
SQLITE_UP = [
    """CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON audit_accessevent
       BEGIN SELECT RAISE(ABORT, 'audit_accessevent is append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER audit_accessevent_no_delete BEFORE DELETE ON audit_accessevent
       BEGIN SELECT RAISE(ABORT, 'audit_accessevent is append-only (DELETE refused)'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_accessevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_accessevent_no_delete;",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down, elidable=False)]
