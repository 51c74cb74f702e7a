-- Search tokens keep combining marks inside words (Indic vowel signs are marks): the FTS tables are
-- rebuilt with tokenizer categories L* M* N* Co, from the rows they index. Triggers keep their names
-- and bodies (they refer to the tables by name).
DROP TABLE `contacts_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `contacts_fts` USING fts5(
  `tenant`, `name`, `ref_id`,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `contacts_fts` (`rowid`, `tenant`, `name`, `ref_id`)
SELECT rowid, 't' || hex(tenant_id), name, coalesce(ref_id, '') FROM `contacts`;
--> statement-breakpoint
DROP TABLE `addresses_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `addresses_fts` USING fts5(
  `tenant`, `body`,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`)
SELECT rowid, 't' || hex(tenant_id), address_line || ' ' || city || ' ' || state || ' ' || country || ' ' || pincode FROM `addresses`;
--> statement-breakpoint
DROP TABLE `bank_accounts_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `bank_accounts_fts` USING fts5(
  `tenant`, `body`, `digits`,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`)
SELECT rowid, 't' || hex(tenant_id), account_holder_name || ' ' || coalesce(bank_name, ''),
  'l' || substr(account_number, -4) || ' l' || substr(account_number, -5) || ' l' || substr(account_number, -6) ||
  ' l' || substr(account_number, -7) || ' l' || substr(account_number, -8) || ' l' || account_number
FROM `bank_accounts`;
