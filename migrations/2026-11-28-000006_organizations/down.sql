DROP TABLE signatories;
DROP FUNCTION bantin_family_name(text);
DROP FUNCTION bantin_middle_name(text);
DROP FUNCTION bantin_given_name(text);
DROP TABLE organizations;
