-- The identifier index keyed by the contact's rowid (D1 holds at most 10 GB per database; this is the
-- largest table). Hand-written: drizzle-kit cannot express WITHOUT ROWID tables or triggers.
--
-- Before: primary key (tenant_id, kind, value, contact_id) plus an index (tenant_id, contact_id, field)
-- that repeated every column, each row carrying the contact's 26-character id twice.
-- After: `contact_id` holds the contact's rowid (the key contacts_fts and the other search tables already
-- rely on); primary key (tenant_id, contact_id, kind, value), so a contact's rows are one range of the
-- table; a lookup index (tenant_id, kind, value) that holds the rowid as its last column.
CREATE TABLE `contact_identifiers_by_contact` (
	`tenant_id` text NOT NULL,
	`contact_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`field` text NOT NULL,
	PRIMARY KEY (`tenant_id`, `contact_id`, `kind`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Rows of a contact that no longer exists have nothing to point at and are left behind. Driven by the
-- contacts in rowid order (the new key's order, no sort), each contact's rows read by the per-contact
-- index: without statistics SQLite would rather walk the whole tenant's primary key range per contact.
INSERT OR IGNORE INTO `contact_identifiers_by_contact` (`tenant_id`, `contact_id`, `kind`, `value`, `field`)
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
--> statement-breakpoint
-- While a rollout replaces the previous release's Workers (migrations run first), their SQL still names
-- contacts by id: each row they write is stored under the contact's rowid instead (their reads by id
-- find nothing, so their dedupe answers less until they are replaced, and never fails). Remove in the
-- release after this one.
CREATE TRIGGER `contact_identifiers_by_id` BEFORE INSERT ON `contact_identifiers`
WHEN typeof(new.`contact_id`) = 'text'
BEGIN
  INSERT OR IGNORE INTO `contact_identifiers` (`tenant_id`, `contact_id`, `kind`, `value`, `field`)
  SELECT new.`tenant_id`, c.rowid, new.`kind`, new.`value`, new.`field`
  FROM `contacts` c WHERE c.`tenant_id` = new.`tenant_id` AND c.`id` = new.`contact_id`;
  SELECT RAISE(IGNORE);
END;
