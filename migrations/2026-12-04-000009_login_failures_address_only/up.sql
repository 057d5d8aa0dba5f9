-- A login with something that is not an email address counts for the client address only.
ALTER TABLE login_failures ALTER COLUMN email_key DROP NOT NULL;
