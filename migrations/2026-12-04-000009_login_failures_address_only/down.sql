DELETE FROM login_failures WHERE email_key IS NULL;
ALTER TABLE login_failures ALTER COLUMN email_key SET NOT NULL;
