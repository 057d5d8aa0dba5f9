DROP TRIGGER events_fan_out ON events;
DROP FUNCTION events_fan_out();
DROP FUNCTION bantin_event_matches(text, text);
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
