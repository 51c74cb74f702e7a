-- Full-text search over contact names and ref_ids, kept in sync by triggers in the same transaction as
-- every write. The `tenant` column holds one token per tenant ('t' + hex of tenant_id) so a search
-- matches only the caller's tenant inside the FTS index itself.
CREATE VIRTUAL TABLE `contacts_fts` USING fts5(
  `tenant`, `name`, `ref_id`,
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ai` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contacts_fts` (`rowid`, `tenant`, `name`, `ref_id`)
  VALUES (new.rowid, 't' || hex(new.tenant_id), new.name, coalesce(new.ref_id, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_au` AFTER UPDATE OF `name`, `ref_id`, `tenant_id` ON `contacts` BEGIN
  UPDATE `contacts_fts`
  SET `tenant` = 't' || hex(new.tenant_id), `name` = new.name, `ref_id` = coalesce(new.ref_id, '')
  WHERE `rowid` = new.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ad` AFTER DELETE ON `contacts` BEGIN
  DELETE FROM `contacts_fts` WHERE `rowid` = old.rowid;
END;
