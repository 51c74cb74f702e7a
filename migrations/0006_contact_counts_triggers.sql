-- contact_counts follows every insert, delete and move of a contact between (namespace, status, type,
-- approval_status) groups, inside the same transaction as the write.
INSERT INTO `contact_counts` (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`, `n`)
SELECT `tenant_id`, `namespace_id`, `status`, `type`, `approval_status`, count(*) FROM `contacts`
GROUP BY `tenant_id`, `namespace_id`, `status`, `type`, `approval_status`;
--> statement-breakpoint
CREATE TRIGGER `contact_counts_ai` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contact_counts` (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`, `n`)
  VALUES (new.tenant_id, new.namespace_id, new.status, new.type, new.approval_status, 1)
  ON CONFLICT (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `contact_counts_ad` AFTER DELETE ON `contacts` BEGIN
  UPDATE `contact_counts` SET `n` = `n` - 1
  WHERE `tenant_id` = old.tenant_id AND `namespace_id` = old.namespace_id AND `status` = old.status
    AND `type` = old.type AND `approval_status` = old.approval_status;
END;
--> statement-breakpoint
CREATE TRIGGER `contact_counts_au` AFTER UPDATE OF `tenant_id`, `namespace_id`, `status`, `type`, `approval_status` ON `contacts`
WHEN old.tenant_id IS NOT new.tenant_id OR old.namespace_id IS NOT new.namespace_id OR old.status IS NOT new.status
  OR old.type IS NOT new.type OR old.approval_status IS NOT new.approval_status
BEGIN
  UPDATE `contact_counts` SET `n` = `n` - 1
  WHERE `tenant_id` = old.tenant_id AND `namespace_id` = old.namespace_id AND `status` = old.status
    AND `type` = old.type AND `approval_status` = old.approval_status;
  INSERT INTO `contact_counts` (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`, `n`)
  VALUES (new.tenant_id, new.namespace_id, new.status, new.type, new.approval_status, 1)
  ON CONFLICT (`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`) DO UPDATE SET `n` = `n` + 1;
END;
