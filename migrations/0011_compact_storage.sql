-- Storage per contact (D1 holds at most 10 GB per database). Hand-written: drizzle-kit cannot express
-- WITHOUT ROWID tables or contentless FTS5 tables.
--
-- 1. History: a WITHOUT ROWID table keyed by the one path that reads it (a contact's entries by time),
--    instead of a rowid table with an index on the id and a second index on (tenant, contact, at, id).
--    Rows written before this migration keep their `changes` as they are.
CREATE TABLE `contact_history_compact` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`changes` text NOT NULL,
	`reason` text,
	`subject_type` text,
	`subject_id` text,
	PRIMARY KEY (`tenant_id`, `contact_id`, `at`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `contact_history_compact` (`id`, `tenant_id`, `contact_id`, `at`, `actor`, `action`, `changes`, `reason`,
  `subject_type`, `subject_id`)
SELECT `id`, `tenant_id`, `contact_id`, `at`, `actor`, `action`, `changes`, `reason`, `subject_type`, `subject_id`
FROM `contact_history`;
--> statement-breakpoint
DROP TABLE `contact_history`;
--> statement-breakpoint
ALTER TABLE `contact_history_compact` RENAME TO `contact_history`;
--> statement-breakpoint
-- 2. Identifier index: keyed by the dedupe lookup (tenant, kind, value, contact) WITHOUT ROWID, plus the
--    per-contact index that rewrites a contact's rows. The namespace is no longer copied into every row
--    (dedupe reads it from the candidate's contact), and keyed hashes keep their first 128 bits
--    (32 hex characters), as src/dedupe/identifiers.ts hashIdentifier now writes them.
CREATE TABLE `contact_identifiers_compact` (
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`contact_id` text NOT NULL,
	`field` text NOT NULL,
	PRIMARY KEY (`tenant_id`, `kind`, `value`, `contact_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT OR IGNORE INTO `contact_identifiers_compact` (`tenant_id`, `kind`, `value`, `contact_id`, `field`)
SELECT `tenant_id`, `kind`,
  CASE WHEN length(`value`) = 64 AND `value` NOT GLOB '*[^0-9a-f]*' THEN substr(`value`, 1, 32) ELSE `value` END,
  `contact_id`, `field`
FROM `contact_identifiers`;
--> statement-breakpoint
DROP TABLE `contact_identifiers`;
--> statement-breakpoint
ALTER TABLE `contact_identifiers_compact` RENAME TO `contact_identifiers`;
--> statement-breakpoint
-- Covering (kind and value come with the primary key): without it SQLite would rather walk the
-- primary key by tenant than look each row up.
CREATE INDEX `contact_identifiers_contact_idx` ON `contact_identifiers` (`tenant_id`, `contact_id`, `field`);
--> statement-breakpoint
-- 3. Bank account hashes (account number + IFSC) shortened the same way. The FTS update trigger is
--    replaced below, so this update does not touch the search index.
DROP TRIGGER `bank_accounts_fts_au`;
--> statement-breakpoint
UPDATE `bank_accounts` SET `account_hash` = substr(`account_hash`, 1, 32)
WHERE length(`account_hash`) = 64 AND `account_hash` NOT GLOB '*[^0-9a-f]*';
--> statement-breakpoint
-- 4. Search: contentless FTS5 tables (content='', contentless_delete=1). Search only matches and reads
--    rowids, so the copies of the indexed text the FTS tables kept were never read. Triggers keep their
--    names; updates replace all columns, as contentless tables require.
DROP TABLE `contacts_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `contacts_fts` USING fts5(
  `tenant`, `name`, `ref_id`,
  content = '', contentless_delete = 1,
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
  content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`)
SELECT rowid, 't' || hex(tenant_id),
  coalesce(address_line, '') || ' ' || coalesce(city, '') || ' ' || coalesce(state, '') || ' ' || coalesce(country, '') || ' ' || coalesce(pincode, '')
FROM `addresses`;
--> statement-breakpoint
DROP TRIGGER `addresses_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_au` AFTER UPDATE ON `addresses` BEGIN
  UPDATE `addresses_fts` SET `tenant` = 't' || hex(new.tenant_id),
    `body` = coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
DROP TABLE `bank_accounts_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `bank_accounts_fts` USING fts5(
  `tenant`, `body`, `digits`,
  content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`)
SELECT rowid, 't' || hex(tenant_id), account_holder_name || ' ' || coalesce(bank_name, ''),
  'l' || coalesce(account_last4, '')
FROM `bank_accounts`;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_au` AFTER UPDATE ON `bank_accounts` BEGIN
  UPDATE `bank_accounts_fts` SET `tenant` = 't' || hex(new.tenant_id),
    `body` = new.account_holder_name || ' ' || coalesce(new.bank_name, ''),
    `digits` = 'l' || coalesce(new.account_last4, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
-- 5. List indexes end in the id instead of (created_at, id): a record's id carries its creation time
--    (src/lib/ids.ts newRecord), so id order is (created_at, id) order and created_at bounds are id ranges.
DROP INDEX `contacts_tenant_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_id_idx` ON `contacts` (`tenant_id`, `id`);
--> statement-breakpoint
DROP INDEX `contacts_tenant_ns_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_ns_id_idx` ON `contacts` (`tenant_id`, `namespace_id`, `id`);
--> statement-breakpoint
DROP INDEX `contacts_tenant_status_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_status_id_idx` ON `contacts` (`tenant_id`, `status`, `id`);
--> statement-breakpoint
DROP INDEX `contacts_tenant_type_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_type_id_idx` ON `contacts` (`tenant_id`, `type`, `id`);
--> statement-breakpoint
DROP INDEX `contacts_tenant_approval_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_approval_id_idx` ON `contacts` (`tenant_id`, `approval_status`, `id`);
--> statement-breakpoint
DROP INDEX `contacts_tenant_rm_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_rm_id_idx` ON `contacts` (`tenant_id`, `rm_id`, `id`);
--> statement-breakpoint
DROP INDEX `contacts_tenant_branch_created_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_branch_id_idx` ON `contacts` (`tenant_id`, `branch_id`, `id`);
--> statement-breakpoint
DROP INDEX `addresses_tenant_contact_created_idx`;
--> statement-breakpoint
CREATE INDEX `addresses_tenant_contact_id_idx` ON `addresses` (`tenant_id`, `contact_id`, `id`);
--> statement-breakpoint
DROP INDEX `addresses_tenant_created_idx`;
--> statement-breakpoint
CREATE INDEX `addresses_tenant_id_idx` ON `addresses` (`tenant_id`, `id`);
--> statement-breakpoint
DROP INDEX `addresses_tenant_type_created_idx`;
--> statement-breakpoint
CREATE INDEX `addresses_tenant_type_id_idx` ON `addresses` (`tenant_id`, `type`, `id`);
--> statement-breakpoint
DROP INDEX `bank_accounts_tenant_created_idx`;
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_id_idx` ON `bank_accounts` (`tenant_id`, `id`);
--> statement-breakpoint
DROP INDEX `bank_accounts_tenant_contact_created_idx`;
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_contact_id_idx` ON `bank_accounts` (`tenant_id`, `contact_id`, `id`);
--> statement-breakpoint
DROP INDEX `bank_accounts_tenant_ifsc_created_idx`;
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_ifsc_id_idx` ON `bank_accounts` (`tenant_id`, `ifsc`, `id`);
--> statement-breakpoint
DROP INDEX `bank_accounts_tenant_type_created_idx`;
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_type_id_idx` ON `bank_accounts` (`tenant_id`, `account_type`, `id`);
--> statement-breakpoint
DROP INDEX `relations_tenant_created_idx`;
--> statement-breakpoint
CREATE INDEX `relations_tenant_id_idx` ON `relations` (`tenant_id`, `id`);
--> statement-breakpoint
DROP INDEX `relations_tenant_contact_created_idx`;
--> statement-breakpoint
CREATE INDEX `relations_tenant_contact_id_idx` ON `relations` (`tenant_id`, `contact_id`, `id`);
--> statement-breakpoint
DROP INDEX `relations_tenant_related_created_idx`;
--> statement-breakpoint
CREATE INDEX `relations_tenant_related_id_idx` ON `relations` (`tenant_id`, `related_contact_id`, `id`);
--> statement-breakpoint
DROP INDEX `relations_tenant_type_created_idx`;
--> statement-breakpoint
CREATE INDEX `relations_tenant_type_id_idx` ON `relations` (`tenant_id`, `type`, `id`);
