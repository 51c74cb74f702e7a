-- A record's creation is read from the record itself (D1 holds at most 10 GB per database; `created`,
-- `address_created`, `bank_created` and `relation_created` rows were two thirds of all history rows,
-- 542 bytes per contact on the bench's 1M data set, 3,919 -> 3,377). From this release on, creating a contact,
-- address, bank account or relation writes no history row: the list of a contact's history adds the
-- entry from the record's created_at and created_by while the record is untouched (`created_entry` 0).
-- The first write that changes or deletes the record stores that entry first and sets `created_entry`.
--
-- Every record already stored has its created entry as a row, so the column defaults to 1: no row is
-- rewritten (ADD COLUMN with a constant default changes only the schema). The previous release never
-- sets the column, so records it writes while this migration rolls out keep their stored entries.
ALTER TABLE `contacts` ADD `created_entry` integer DEFAULT true NOT NULL;
--> statement-breakpoint
ALTER TABLE `addresses` ADD `created_entry` integer DEFAULT true NOT NULL;
--> statement-breakpoint
ALTER TABLE `bank_accounts` ADD `created_entry` integer DEFAULT true NOT NULL;
--> statement-breakpoint
ALTER TABLE `relations` ADD `created_entry` integer DEFAULT true NOT NULL;
