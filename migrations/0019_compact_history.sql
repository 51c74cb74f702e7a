-- History keyed by the contact's rowid, its time in epoch milliseconds (D1 holds at most 10 GB per
-- database; history is the largest table after the identifier index). Hand-written: drizzle-kit cannot
-- express WITHOUT ROWID tables.
--
-- Before: (tenant_id, contact_id, at, id) with the contact's 26-character id and `at` as a 24-character
-- ISO instant, in every row. After: the same key with the contact's rowid (the key contact_identifiers
-- and the search tables already use) and `at` as an integer, about 40 bytes less per row.
-- Rows of contacts that no longer exist have nothing to point at and are left behind.
--
-- The release before this one (README, "Rolling a migration across the fleet") reads both forms and
-- writes the form recorded in maintenance_state `history_format`, set here in the same migration.
CREATE TABLE `contact_history_compact` (
	`tenant_id` text NOT NULL,
	`contact_id` integer NOT NULL,
	`at` integer NOT NULL,
	`id` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`changes` text NOT NULL,
	`reason` text,
	`subject_type` text,
	`subject_id` text,
	PRIMARY KEY (`tenant_id`, `contact_id`, `at`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `contact_history_compact` (`tenant_id`, `contact_id`, `at`, `id`, `actor`, `action`, `changes`,
  `reason`, `subject_type`, `subject_id`)
SELECT h.`tenant_id`, c.rowid, CAST(round((julianday(h.`at`) - 2440587.5) * 86400000.0) AS INTEGER), h.`id`,
  h.`actor`, h.`action`, h.`changes`, h.`reason`, h.`subject_type`, h.`subject_id`
FROM `contact_history` h
JOIN `contacts` c ON c.`tenant_id` = h.`tenant_id` AND c.`id` = h.`contact_id`
ORDER BY c.rowid;
--> statement-breakpoint
DROP TABLE `contact_history`;
--> statement-breakpoint
ALTER TABLE `contact_history_compact` RENAME TO `contact_history`;
--> statement-breakpoint
INSERT INTO `maintenance_state` (`name`, `value`) VALUES ('history_format', 'compact')
ON CONFLICT (`name`) DO UPDATE SET `value` = excluded.`value`;
