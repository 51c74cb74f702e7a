ALTER TABLE `contact_history` ADD `subject_type` text;--> statement-breakpoint
ALTER TABLE `contact_history` ADD `subject_id` text;--> statement-breakpoint
-- Entries about sub-resources carried the record's id inside `changes` as an [old, new] pair; it moves to
-- the subject columns and out of `changes`.
UPDATE `contact_history` SET
  `subject_type` = CASE
    WHEN `action` LIKE 'address\_%' ESCAPE '\' THEN 'address'
    WHEN `action` LIKE 'bank\_%' ESCAPE '\' THEN 'bank'
    ELSE 'relation' END,
  `subject_id` = coalesce(json_extract(`changes`, '$.id[1]'), json_extract(`changes`, '$.id[0]')),
  `changes` = json_remove(`changes`, '$.id')
WHERE `action` LIKE 'address\_%' ESCAPE '\' OR `action` LIKE 'bank\_%' ESCAPE '\' OR `action` LIKE 'relation\_%' ESCAPE '\';
