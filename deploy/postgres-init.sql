-- Temporal's auto-setup creates its schemas itself; this only makes sure the role may.
ALTER ROLE onewindow CREATEDB;
