-- Progress of background maintenance (src/scheduled.ts): one row per job, e.g. which version of the
-- name blocking keys the identifier index holds and how far a rebuild has walked the contacts.
CREATE TABLE `maintenance_state` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
-- A database without contacts has nothing to rebuild: it starts at the current version of the keys
-- (src/dedupe/names.ts NAME_KEYS_VERSION, 3 here). One with contacts starts at 0 and is rebuilt.
INSERT INTO `maintenance_state` (`name`, `value`)
SELECT 'name_keys_version', CASE WHEN EXISTS (SELECT 1 FROM `contacts`) THEN '0' ELSE '3' END;
