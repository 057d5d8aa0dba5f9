DROP TABLE site;
DROP TABLE article_revisions;
DROP TABLE article_related;
DROP TABLE articles;
DROP TABLE categories;
DROP FUNCTION bantin_fold(text);
