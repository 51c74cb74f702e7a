-- The identifier index keyed by the contact's rowid (D1 holds at most 10 GB per database; this is the
-- largest table). Hand-written: drizzle-kit cannot express WITHOUT ROWID tables.
--
-- Before: primary key (tenant_id, kind, value, contact_id) plus an index (tenant_id, contact_id, field)
-- that repeated every column, each row carrying the contact's 26-character id twice.
-- After: primary key (tenant_id, contact_rowid, kind, value), so a contact's rows are one range of the
-- table, and a lookup index (tenant_id, kind, value) that holds the rowid as its last column. The rowid
-- is the key contacts_fts and the other search tables already rely on.
CREATE TABLE `contact_identifiers_by_contact` (
	`tenant_id` text NOT NULL,
	`contact_rowid` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`field` text NOT NULL,
	PRIMARY KEY (`tenant_id`, `contact_rowid`, `kind`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Rows of a contact that no longer exists have nothing to point at and are left behind. Driven by the
-- contacts in rowid order (the new key's order, no sort), each contact's rows read by the per-contact
-- index: without statistics SQLite would rather walk the whole tenant's primary key range per contact.
INSERT OR IGNORE INTO `contact_identifiers_by_contact` (`tenant_id`, `contact_rowid`, `kind`, `value`, `field`)
SELECT ci.`tenant_id`, c.rowid, ci.`kind`, ci.`value`, ci.`field`
FROM `contacts` c
JOIN `contact_identifiers` ci INDEXED BY `contact_identifiers_contact_idx`
  ON ci.`tenant_id` = c.`tenant_id` AND ci.`contact_id` = c.`id`
ORDER BY c.rowid;
--> statement-breakpoint
DROP TABLE `contact_identifiers`;
--> statement-breakpoint
ALTER TABLE `contact_identifiers_by_contact` RENAME TO `contact_identifiers`;
--> statement-breakpoint
CREATE INDEX `contact_identifiers_lookup_idx` ON `contact_identifiers` (`tenant_id`, `kind`, `value`);
