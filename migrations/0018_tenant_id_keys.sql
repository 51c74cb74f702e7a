-- One key per record instead of two (D1 holds at most 10 GB per database). Hand-written: a primary key
-- cannot be dropped in SQLite, so each table is rebuilt.
--
-- Before: contacts, addresses, bank_accounts and relations each had `id` as a text PRIMARY KEY (an
-- automatic index on id) and an index (tenant_id, id) beside it; every query names the tenant, so only
-- the second served. After: a unique index (tenant_id, id) is the one key. Rowids are copied, so the FTS
-- tables and contact_identifiers, keyed by them, stay valid; the indexes are built after the copy.
--
-- The previous release keeps working: its SQL names the same columns and always the tenant. The trigger
-- contact_identifiers_by_id (0014) served the release before 0014 only, which no fleet still runs (README,
-- "Rolling a migration across the fleet"); it named `contacts` and is not recreated.
DROP TRIGGER `contact_identifiers_by_id`;
--> statement-breakpoint
CREATE TABLE `contacts_keyed` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`namespace_id` text NOT NULL,
	`ref_id` text,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`approval_status` text DEFAULT 'pending' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`refs` text,
	`props` text DEFAULT '[]' NOT NULL,
	`rm_id` text,
	`branch_id` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text,
	`erased_at` text,
	`erased_by` text
);
--> statement-breakpoint
INSERT INTO `contacts_keyed` (rowid, `id`, `tenant_id`, `namespace_id`, `ref_id`, `name`, `type`, `status`,
  `approval_status`, `tags`, `refs`, `props`, `rm_id`, `branch_id`, `version`, `created_at`, `created_by`,
  `updated_at`, `updated_by`, `erased_at`, `erased_by`)
SELECT rowid, `id`, `tenant_id`, `namespace_id`, `ref_id`, `name`, `type`, `status`, `approval_status`, `tags`,
  `refs`, `props`, `rm_id`, `branch_id`, `version`, `created_at`, `created_by`, `updated_at`, `updated_by`,
  `erased_at`, `erased_by`
FROM `contacts` ORDER BY rowid;
--> statement-breakpoint
DROP TABLE `contacts`;
--> statement-breakpoint
ALTER TABLE `contacts_keyed` RENAME TO `contacts`;
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_tenant_id_uq` ON `contacts` (`tenant_id`, `id`);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_tenant_ns_ref_uq` ON `contacts` (`tenant_id`, `namespace_id`, `ref_id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_updated_idx` ON `contacts` (`tenant_id`, `updated_at`, `id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_name_idx` ON `contacts` (`tenant_id`, `name`, `id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_ns_id_idx` ON `contacts` (`tenant_id`, `namespace_id`, `id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_status_id_idx` ON `contacts` (`tenant_id`, `status`, `id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_type_id_idx` ON `contacts` (`tenant_id`, `type`, `id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_approval_id_idx` ON `contacts` (`tenant_id`, `approval_status`, `id`);
--> statement-breakpoint
CREATE INDEX `contacts_tenant_rm_id_idx` ON `contacts` (`tenant_id`, `rm_id`, `id`) WHERE `rm_id` is not null;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_branch_id_idx` ON `contacts` (`tenant_id`, `branch_id`, `id`) WHERE `branch_id` is not null;
--> statement-breakpoint
CREATE TRIGGER `contact_counts_ai` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contact_counts` (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`, `n`)
  VALUES (new.tenant_id, new.namespace_id, new.status, new.type, new.approval_status, 1)
  ON CONFLICT (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `contact_counts_ad` AFTER DELETE ON `contacts` BEGIN
  UPDATE `contact_counts` SET `n` = `n` - 1
  WHERE `tenant_id` = old.tenant_id AND `namespace_id` = old.namespace_id AND `status` = old.status
    AND `type` = old.type AND `approval_status` = old.approval_status;
END;
--> statement-breakpoint
CREATE TRIGGER `contact_counts_au` AFTER UPDATE OF `tenant_id`, `namespace_id`, `status`, `type`, `approval_status` ON `contacts`
WHEN old.tenant_id IS NOT new.tenant_id OR old.namespace_id IS NOT new.namespace_id OR old.status IS NOT new.status
  OR old.type IS NOT new.type OR old.approval_status IS NOT new.approval_status
BEGIN
  UPDATE `contact_counts` SET `n` = `n` - 1
  WHERE `tenant_id` = old.tenant_id AND `namespace_id` = old.namespace_id AND `status` = old.status
    AND `type` = old.type AND `approval_status` = old.approval_status;
  INSERT INTO `contact_counts` (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`, `n`)
  VALUES (new.tenant_id, new.namespace_id, new.status, new.type, new.approval_status, 1)
  ON CONFLICT (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ai` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contacts_fts` (`rowid`, `tenant`, `name`, `ref_id`)
  VALUES (new.rowid, 't' || hex(new.tenant_id), new.name, coalesce(new.ref_id, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_au` AFTER UPDATE OF `name`, `ref_id`, `tenant_id` ON `contacts` BEGIN
  UPDATE `contacts_fts`
  SET `tenant` = 't' || hex(new.tenant_id), `name` = new.name, `ref_id` = coalesce(new.ref_id, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ad` AFTER DELETE ON `contacts` BEGIN
  DELETE FROM `contacts_fts` WHERE `rowid` = old.rowid;
END;
--> statement-breakpoint
CREATE TABLE `addresses_keyed` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`address_line` text,
	`city` text,
	`state` text,
	`pincode` text,
	`country` text,
	`type` text NOT NULL,
	`lat` real,
	`lng` real,
	`codes` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
INSERT INTO `addresses_keyed` (rowid, `id`, `tenant_id`, `contact_id`, `address_line`, `city`, `state`, `pincode`,
  `country`, `type`, `lat`, `lng`, `codes`, `tags`, `version`, `created_at`, `created_by`, `updated_at`, `updated_by`)
SELECT rowid, `id`, `tenant_id`, `contact_id`, `address_line`, `city`, `state`, `pincode`, `country`, `type`, `lat`,
  `lng`, `codes`, `tags`, `version`, `created_at`, `created_by`, `updated_at`, `updated_by`
FROM `addresses` ORDER BY rowid;
--> statement-breakpoint
DROP TABLE `addresses`;
--> statement-breakpoint
ALTER TABLE `addresses_keyed` RENAME TO `addresses`;
--> statement-breakpoint
CREATE UNIQUE INDEX `addresses_tenant_id_uq` ON `addresses` (`tenant_id`, `id`);
--> statement-breakpoint
CREATE INDEX `addresses_tenant_contact_id_idx` ON `addresses` (`tenant_id`, `contact_id`, `id`);
--> statement-breakpoint
CREATE INDEX `addresses_tenant_updated_idx` ON `addresses` (`tenant_id`, `updated_at`, `id`);
--> statement-breakpoint
CREATE INDEX `addresses_tenant_type_id_idx` ON `addresses` (`tenant_id`, `type`, `id`);
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ai` AFTER INSERT ON `addresses` BEGIN
  INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_au` AFTER UPDATE ON `addresses` BEGIN
  UPDATE `addresses_fts` SET `tenant` = 't' || hex(new.tenant_id),
    `body` = coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ad` AFTER DELETE ON `addresses` BEGIN
  DELETE FROM `addresses_fts` WHERE `rowid` = old.rowid;
END;
--> statement-breakpoint
CREATE TABLE `bank_accounts_keyed` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`account_number` text NOT NULL,
	`ifsc` text NOT NULL,
	`account_holder_name` text NOT NULL,
	`bank_name` text,
	`branch_name` text,
	`account_type` text NOT NULL,
	`is_primary` integer DEFAULT false NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text,
	`account_last4` text,
	`account_hash` text
);
--> statement-breakpoint
INSERT INTO `bank_accounts_keyed` (rowid, `id`, `tenant_id`, `contact_id`, `account_number`, `ifsc`,
  `account_holder_name`, `bank_name`, `branch_name`, `account_type`, `is_primary`, `tags`, `version`, `created_at`,
  `created_by`, `updated_at`, `updated_by`, `account_last4`, `account_hash`)
SELECT rowid, `id`, `tenant_id`, `contact_id`, `account_number`, `ifsc`, `account_holder_name`, `bank_name`,
  `branch_name`, `account_type`, `is_primary`, `tags`, `version`, `created_at`, `created_by`, `updated_at`,
  `updated_by`, `account_last4`, `account_hash`
FROM `bank_accounts` ORDER BY rowid;
--> statement-breakpoint
DROP TABLE `bank_accounts`;
--> statement-breakpoint
ALTER TABLE `bank_accounts_keyed` RENAME TO `bank_accounts`;
--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_tenant_id_uq` ON `bank_accounts` (`tenant_id`, `id`);
--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_contact_account_uq` ON `bank_accounts` (`tenant_id`, `contact_id`, `account_hash`);
--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_one_primary_uq` ON `bank_accounts` (`contact_id`) WHERE `is_primary` = 1;
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_contact_id_idx` ON `bank_accounts` (`tenant_id`, `contact_id`, `id`);
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_updated_idx` ON `bank_accounts` (`tenant_id`, `updated_at`, `id`);
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_ifsc_id_idx` ON `bank_accounts` (`tenant_id`, `ifsc`, `id`);
--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_type_id_idx` ON `bank_accounts` (`tenant_id`, `account_type`, `id`);
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ai` AFTER INSERT ON `bank_accounts` BEGIN
  INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    new.account_holder_name || ' ' || coalesce(new.bank_name, ''), 'l' || coalesce(new.account_last4, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_au` AFTER UPDATE ON `bank_accounts` BEGIN
  UPDATE `bank_accounts_fts` SET `tenant` = 't' || hex(new.tenant_id),
    `body` = new.account_holder_name || ' ' || coalesce(new.bank_name, ''),
    `digits` = 'l' || coalesce(new.account_last4, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ad` AFTER DELETE ON `bank_accounts` BEGIN
  DELETE FROM `bank_accounts_fts` WHERE `rowid` = old.rowid;
END;
--> statement-breakpoint
CREATE TABLE `relations_keyed` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`type` text NOT NULL,
	`related_contact_id` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
INSERT INTO `relations_keyed` (rowid, `id`, `tenant_id`, `contact_id`, `type`, `related_contact_id`, `tags`, `version`,
  `created_at`, `created_by`, `updated_at`, `updated_by`)
SELECT rowid, `id`, `tenant_id`, `contact_id`, `type`, `related_contact_id`, `tags`, `version`, `created_at`,
  `created_by`, `updated_at`, `updated_by`
FROM `relations` ORDER BY rowid;
--> statement-breakpoint
DROP TABLE `relations`;
--> statement-breakpoint
ALTER TABLE `relations_keyed` RENAME TO `relations`;
--> statement-breakpoint
CREATE UNIQUE INDEX `relations_tenant_id_uq` ON `relations` (`tenant_id`, `id`);
--> statement-breakpoint
CREATE UNIQUE INDEX `relations_unique_uq` ON `relations` (`tenant_id`, `contact_id`, `type`, coalesce(`related_contact_id`, ''));
--> statement-breakpoint
CREATE INDEX `relations_tenant_updated_idx` ON `relations` (`tenant_id`, `updated_at`, `id`);
--> statement-breakpoint
CREATE INDEX `relations_tenant_contact_id_idx` ON `relations` (`tenant_id`, `contact_id`, `id`);
--> statement-breakpoint
CREATE INDEX `relations_tenant_related_id_idx` ON `relations` (`tenant_id`, `related_contact_id`, `id`);
--> statement-breakpoint
CREATE INDEX `relations_tenant_type_id_idx` ON `relations` (`tenant_id`, `type`, `id`);
