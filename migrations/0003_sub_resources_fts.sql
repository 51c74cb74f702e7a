-- Indexes drizzle-kit cannot express: one primary account per contact, and one relation per
-- (contact, type, related contact) where a missing related contact counts as one value.
CREATE UNIQUE INDEX `bank_accounts_one_primary_uq` ON `bank_accounts` (`contact_id`) WHERE `is_primary` = 1;
--> statement-breakpoint
CREATE UNIQUE INDEX `relations_unique_uq` ON `relations` (`tenant_id`, `contact_id`, `type`, coalesce(`related_contact_id`, ''));
--> statement-breakpoint
-- Full-text search over addresses and bank accounts, kept in sync by triggers in the same transaction
-- as every write. As for contacts, `tenant` holds one token per tenant ('t' + hex of tenant_id).
CREATE VIRTUAL TABLE `addresses_fts` USING fts5(`tenant`, `body`, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ai` AFTER INSERT ON `addresses` BEGIN
  INSERT INTO `addresses_fts` (`rowid`, `tenant`, `body`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    new.address_line || ' ' || new.city || ' ' || new.state || ' ' || new.country || ' ' || new.pincode);
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_au` AFTER UPDATE ON `addresses` BEGIN
  UPDATE `addresses_fts` SET `body` = new.address_line || ' ' || new.city || ' ' || new.state || ' ' || new.country || ' ' || new.pincode
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_fts_ad` AFTER DELETE ON `addresses` BEGIN
  DELETE FROM `addresses_fts` WHERE `rowid` = old.rowid;
END;
--> statement-breakpoint
-- `digits` holds the account number and its last 4 to 8 digits as tokens ('l' + digits), so a search for
-- the last digits of an account is a token match.
CREATE VIRTUAL TABLE `bank_accounts_fts` USING fts5(`tenant`, `body`, `digits`, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ai` AFTER INSERT ON `bank_accounts` BEGIN
  INSERT INTO `bank_accounts_fts` (`rowid`, `tenant`, `body`, `digits`) VALUES (new.rowid, 't' || hex(new.tenant_id),
    new.account_holder_name || ' ' || coalesce(new.bank_name, ''), 'l' || substr(new.account_number, -4) || ' l' || substr(new.account_number, -5) || ' l' || substr(new.account_number, -6) || ' l' || substr(new.account_number, -7) || ' l' || substr(new.account_number, -8) || ' l' || new.account_number);
END;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_au` AFTER UPDATE ON `bank_accounts` BEGIN
  UPDATE `bank_accounts_fts` SET `body` = new.account_holder_name || ' ' || coalesce(new.bank_name, ''),
    `digits` = 'l' || substr(new.account_number, -4) || ' l' || substr(new.account_number, -5) || ' l' || substr(new.account_number, -6) || ' l' || substr(new.account_number, -7) || ' l' || substr(new.account_number, -8) || ' l' || new.account_number
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `bank_accounts_fts_ad` AFTER DELETE ON `bank_accounts` BEGIN
  DELETE FROM `bank_accounts_fts` WHERE `rowid` = old.rowid;
END;
