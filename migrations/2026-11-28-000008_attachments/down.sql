DROP TABLE agreement_attachments;
