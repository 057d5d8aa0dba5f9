DROP TRIGGER events_audit ON events;
DROP FUNCTION events_audit();
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
