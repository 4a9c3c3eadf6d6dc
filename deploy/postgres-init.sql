-- Run by PostgreSQL on its first start only. The one-shot temporal-schema job
-- (temporalio/admin-tools, deploy/temporal-schema.sh) creates Temporal's two databases
-- as this role; this makes sure the role may.
ALTER ROLE onewindow CREATEDB;
