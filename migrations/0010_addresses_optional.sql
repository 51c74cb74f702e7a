-- address_line, city, state, pincode and country become nullable. SQLite cannot drop NOT NULL with ALTER
-- TABLE: the table is rebuilt. No PRAGMA foreign_keys around it: no table has foreign keys, and D1 runs a
-- migration in one transaction, where that PRAGMA does nothing.
CREATE TABLE `__new_addresses` (
	`id` text PRIMARY KEY NOT NULL,
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
-- rowid is copied: addresses_fts is keyed by the rows' rowids.
INSERT INTO `__new_addresses`("rowid", "id", "tenant_id", "contact_id", "address_line", "city", "state", "pincode", "country", "type", "lat", "lng", "codes", "tags", "version", "created_at", "created_by", "updated_at", "updated_by") SELECT "rowid", "id", "tenant_id", "contact_id", "address_line", "city", "state", "pincode", "country", "type", "lat", "lng", "codes", "tags", "version", "created_at", "created_by", "updated_at", "updated_by" FROM `addresses`;--> statement-breakpoint
DROP TABLE `addresses`;--> statement-breakpoint
ALTER TABLE `__new_addresses` RENAME TO `addresses`;--> statement-breakpoint
CREATE INDEX `addresses_tenant_contact_created_idx` ON `addresses` (`tenant_id`,`contact_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_tenant_created_idx` ON `addresses` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_tenant_updated_idx` ON `addresses` (`tenant_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_tenant_type_created_idx` ON `addresses` (`tenant_id`,`type`,`created_at`,`id`);--> statement-breakpoint
-- Dropping the old table dropped its FTS triggers. The index text is rebuilt from the copied rows and the
-- triggers are created again, with coalesce: a null in `||` would make the whole text null.
DROP TABLE `addresses_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `addresses_fts` USING fts5(
  `tenant`, `body`,
  tokenize = "unicode61 remove_diacritics 2 categories 'L* M* N* Co'"
);
--> statement-breakpoint
INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`)
SELECT rowid, 't' || hex(tenant_id),
  coalesce(address_line, '') || ' ' || coalesce(city, '') || ' ' || coalesce(state, '') || ' ' || coalesce(country, '') || ' ' || coalesce(pincode, '')
FROM `addresses`;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ai` AFTER INSERT ON `addresses` BEGIN
  INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_au` AFTER UPDATE ON `addresses` BEGIN
  UPDATE `addresses_fts` SET `body` =
    coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ad` AFTER DELETE ON `addresses` BEGIN
  DELETE FROM `addresses_fts` WHERE `rowid` = old.rowid;
END;
