DROP INDEX `bank_accounts_contact_account_uq`;--> statement-breakpoint
ALTER TABLE `bank_accounts` ADD `account_last4` text;--> statement-breakpoint
ALTER TABLE `bank_accounts` ADD `account_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_contact_account_uq` ON `bank_accounts` (`tenant_id`,`contact_id`,`account_hash`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `erased_at` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `erased_by` text;--> statement-breakpoint
-- Search by digits reads only the last four: the full number leaves the FTS index (and its content
-- table). Numbers written before this migration are encrypted by the scheduled protection job.
UPDATE `bank_accounts` SET `account_last4` = substr(`account_number`, -4) WHERE `account_number` NOT LIKE 'v1.%';
--> statement-breakpoint
DROP TRIGGER `bank_accounts_fts_ai`;
--> statement-breakpoint
DROP TRIGGER `bank_accounts_fts_au`;
--> statement-breakpoint
DROP TRIGGER `bank_accounts_fts_ad`;
--> statement-breakpoint
DROP TABLE `bank_accounts_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `bank_accounts_fts` USING fts5(
  `tenant`, `body`, `digits`,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`)
SELECT rowid, 't' || hex(tenant_id), account_holder_name || ' ' || coalesce(bank_name, ''), 'l' || coalesce(account_last4, '')
FROM `bank_accounts`;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ai` AFTER INSERT ON `bank_accounts` BEGIN
  INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    new.account_holder_name || ' ' || coalesce(new.bank_name, ''), 'l' || coalesce(new.account_last4, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_au` AFTER UPDATE ON `bank_accounts` BEGIN
  UPDATE `bank_accounts_fts` SET `body` = new.account_holder_name || ' ' || coalesce(new.bank_name, ''),
    `digits` = 'l' || coalesce(new.account_last4, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ad` AFTER DELETE ON `bank_accounts` BEGIN
  DELETE FROM `bank_accounts_fts` WHERE `rowid` = old.rowid;
END;
