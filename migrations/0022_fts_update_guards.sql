-- The search indexes are rewritten only when the text they index changes. The update triggers of
-- addresses and bank accounts fired on every UPDATE (a new type, a primary flag, the version bump of any
-- PATCH), and the one of contacts whenever a PATCH sent back an unchanged name or ref_id. Each firing
-- rewrote the row's FTS5 entry: a delete marker and a new copy of every token, in a new segment the
-- scheduled merge (src/db/search-merge.ts) must fold in later. Same statements as 0018, with the
-- columns they read as `UPDATE OF` and a WHEN that lets an unchanged value through untouched.
DROP TRIGGER `contacts_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_au` AFTER UPDATE OF `name`, `ref_id`, `tenant_id` ON `contacts`
WHEN old.name IS NOT new.name OR old.ref_id IS NOT new.ref_id OR old.tenant_id IS NOT new.tenant_id
BEGIN
  UPDATE `contacts_fts`
  SET `tenant` = 't' || hex(new.tenant_id), `name` = new.name, `ref_id` = coalesce(new.ref_id, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
DROP TRIGGER `addresses_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_au`
AFTER UPDATE OF `address_line`, `city`, `state`, `country`, `pincode`, `tenant_id` ON `addresses`
WHEN old.address_line IS NOT new.address_line OR old.city IS NOT new.city OR old.state IS NOT new.state
  OR old.country IS NOT new.country OR old.pincode IS NOT new.pincode OR old.tenant_id IS NOT new.tenant_id
BEGIN
  UPDATE `addresses_fts` SET `tenant` = 't' || hex(new.tenant_id),
    `body` = coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
DROP TRIGGER `bank_accounts_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_au`
AFTER UPDATE OF `account_holder_name`, `bank_name`, `account_last4`, `tenant_id` ON `bank_accounts`
WHEN old.account_holder_name IS NOT new.account_holder_name OR old.bank_name IS NOT new.bank_name
  OR old.account_last4 IS NOT new.account_last4 OR old.tenant_id IS NOT new.tenant_id
BEGIN
  UPDATE `bank_accounts_fts` SET `tenant` = 't' || hex(new.tenant_id),
    `body` = new.account_holder_name || ' ' || coalesce(new.bank_name, ''),
    `digits` = 'l' || coalesce(new.account_last4, '')
  WHERE `rowid` = new.rowid;
END;
