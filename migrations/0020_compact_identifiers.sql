-- The identifier index in its compact form (src/dedupe/index-form.ts; D1 holds at most 10 GB per
-- database and this is its largest table). Hand-written: drizzle-kit cannot express WITHOUT ROWID tables.
--
-- Same columns and key; each row is rewritten:
--   kind   a looked-up kind as one letter (the kinds never looked up keep their names: the probe index's
--          condition names them);
--   value  a keyed hash (32 lower-case hex digits of a hashed kind) as its 16 bytes;
--   field  '' for the kinds with one source (name, bank_account), a prop's key without `props.`.
-- About 200 bytes less per contact. The table is copied in key order (dense pages) and its index built
-- after the copy.
--
-- The release before this one (README, "Rolling a migration across the fleet") reads both forms and
-- writes the form recorded in maintenance_state `identifier_format`, set here in the same migration.
CREATE TABLE `contact_identifiers_compact` (
	`tenant_id` text NOT NULL,
	`contact_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`field` text NOT NULL,
	PRIMARY KEY (`tenant_id`, `contact_id`, `kind`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `contact_identifiers_compact` (`tenant_id`, `contact_id`, `kind`, `value`, `field`)
SELECT `tenant_id`, `contact_id`,
  CASE `kind`
    WHEN 'name' THEN 'n' WHEN 'pan' THEN 'p' WHEN 'gstin_pan' THEN 'q' WHEN 'gstin' THEN 'g'
    WHEN 'aadhaar' THEN 'a' WHEN 'mobile' THEN 'm' WHEN 'email' THEN 'e' WHEN 'passport' THEN 's'
    WHEN 'voter_id' THEN 'v' WHEN 'driving_licence' THEN 'l' WHEN 'bank_account' THEN 'b'
    ELSE `kind` END,
  CASE WHEN `kind` IN ('aadhaar', 'pan', 'gstin_pan', 'passport', 'voter_id', 'driving_licence', 'bank_account')
      AND typeof(`value`) = 'text' AND length(`value`) = 32 AND `value` NOT GLOB '*[^0-9a-f]*'
    THEN unhex(`value`) ELSE `value` END,
  CASE
    WHEN (`kind` = 'name' AND `field` = 'name') OR (`kind` = 'bank_account' AND `field` = 'banks.account_number') THEN ''
    WHEN substr(`field`, 1, 6) = 'props.' AND length(`field`) > 6 AND substr(`field`, 7, 6) <> 'props.'
      AND substr(`field`, 7) NOT IN ('name', 'banks.account_number') THEN substr(`field`, 7)
    ELSE `field` END
FROM `contact_identifiers`
ORDER BY 1, 2, 3, 4;
--> statement-breakpoint
DROP TABLE `contact_identifiers`;
--> statement-breakpoint
ALTER TABLE `contact_identifiers_compact` RENAME TO `contact_identifiers`;
--> statement-breakpoint
CREATE INDEX `contact_identifiers_probe_idx` ON `contact_identifiers` (`tenant_id`,`kind`,`value`) WHERE kind not in ('dob', 'pan_sig', 'address');
--> statement-breakpoint
INSERT INTO `maintenance_state` (`name`, `value`) VALUES ('identifier_format', 'compact')
ON CONFLICT (`name`) DO UPDATE SET `value` = excluded.`value`;
