-- Zero-width joiners (U+200D) and non-joiners (U+200C) shape Indic conjuncts (आचार्‍य, ര്‍, র‌্যাব) but
-- are no letters: the search tokenizer read them as word breaks, so a name written with one was
-- indexed as two words ("आचार्" and "य") and never found as typed without it. The indexed text now
-- drops them, as the search words do (src/lib/search.ts searchWords). Same triggers as 0018/0022
-- otherwise; the rows that hold a joiner are indexed again.
DROP TRIGGER `contacts_fts_ai`;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ai` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contacts_fts` (`rowid`, `tenant`, `name`, `ref_id`)
  VALUES (new.rowid, 't' || hex(new.tenant_id), replace(replace(new.name, char(8205), ''), char(8204), ''),
    coalesce(new.ref_id, ''));
END;
--> statement-breakpoint
DROP TRIGGER `contacts_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_au` AFTER UPDATE OF `name`, `ref_id`, `tenant_id` ON `contacts`
WHEN old.name IS NOT new.name OR old.ref_id IS NOT new.ref_id OR old.tenant_id IS NOT new.tenant_id
BEGIN
  UPDATE `contacts_fts`
  SET `tenant` = 't' || hex(new.tenant_id), `name` = replace(replace(new.name, char(8205), ''), char(8204), ''),
    `ref_id` = coalesce(new.ref_id, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
DROP TRIGGER `addresses_fts_ai`;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ai` AFTER INSERT ON `addresses` BEGIN
  INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    replace(replace(coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, ''), char(8205), ''), char(8204), ''));
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
    `body` = replace(replace(coalesce(new.address_line, '') || ' ' || coalesce(new.city, '') || ' ' || coalesce(new.state, '') || ' ' || coalesce(new.country, '') || ' ' || coalesce(new.pincode, ''), char(8205), ''), char(8204), '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
DROP TRIGGER `bank_accounts_fts_ai`;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ai` AFTER INSERT ON `bank_accounts` BEGIN
  INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    replace(replace(new.account_holder_name || ' ' || coalesce(new.bank_name, ''), char(8205), ''), char(8204), ''),
    'l' || coalesce(new.account_last4, ''));
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
    `body` = replace(replace(new.account_holder_name || ' ' || coalesce(new.bank_name, ''), char(8205), ''), char(8204), ''),
    `digits` = 'l' || coalesce(new.account_last4, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
UPDATE `contacts_fts`
SET (`tenant`, `name`, `ref_id`) = (
  SELECT 't' || hex(c.tenant_id), replace(replace(c.name, char(8205), ''), char(8204), ''), coalesce(c.ref_id, '')
  FROM `contacts` c WHERE c.rowid = `contacts_fts`.rowid)
WHERE `rowid` IN (
  SELECT rowid FROM `contacts` WHERE instr(name, char(8205)) > 0 OR instr(name, char(8204)) > 0);
--> statement-breakpoint
UPDATE `addresses_fts`
SET (`tenant`, `body`) = (
  SELECT 't' || hex(a.tenant_id), replace(replace(coalesce(a.address_line, '') || ' ' || coalesce(a.city, '') || ' ' || coalesce(a.state, '') || ' ' || coalesce(a.country, '') || ' ' || coalesce(a.pincode, ''), char(8205), ''), char(8204), '')
  FROM `addresses` a WHERE a.rowid = `addresses_fts`.rowid)
WHERE `rowid` IN (
  SELECT rowid FROM `addresses`
  WHERE instr(coalesce(address_line, '') || coalesce(city, '') || coalesce(state, '') || coalesce(country, ''), char(8205)) > 0
    OR instr(coalesce(address_line, '') || coalesce(city, '') || coalesce(state, '') || coalesce(country, ''), char(8204)) > 0);
--> statement-breakpoint
UPDATE `bank_accounts_fts`
SET (`tenant`, `body`, `digits`) = (
  SELECT 't' || hex(b.tenant_id), replace(replace(b.account_holder_name || ' ' || coalesce(b.bank_name, ''), char(8205), ''), char(8204), ''),
    'l' || coalesce(b.account_last4, '')
  FROM `bank_accounts` b WHERE b.rowid = `bank_accounts_fts`.rowid)
WHERE `rowid` IN (
  SELECT rowid FROM `bank_accounts`
  WHERE instr(account_holder_name || coalesce(bank_name, ''), char(8205)) > 0
    OR instr(account_holder_name || coalesce(bank_name, ''), char(8204)) > 0);
