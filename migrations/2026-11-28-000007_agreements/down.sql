DROP TABLE article_agreements;
DROP TABLE agreement_relations;
DROP TABLE agreement_signatures;
DROP TABLE agreement_parties;
DROP TABLE agreements;
DROP FUNCTION bantin_number_key(text);
