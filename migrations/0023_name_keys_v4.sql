-- Version 4 of the name blocking keys (src/dedupe/names.ts, NAME_KEYS_VERSION: names in Indian scripts
-- meet more of their Latin spellings). A database without contacts has nothing to
-- rebuild and starts at 4; one that holds contacts keeps its version, and the scheduled reindex
-- (src/resources/contacts/contacts.reindex.ts) rebuilds their rows in bounded runs.
UPDATE `maintenance_state` SET `value` = '4'
WHERE `name` = 'name_keys_version' AND NOT EXISTS (SELECT 1 FROM `contacts`);
