-- Indexes that serve the queries that exist (storage at 1M contacts, bench/README.md).
--
-- Dedupe looks contacts up by (kind, value) for identifiers and name keys only: dates of birth and the
-- similarity signatures (pan_sig, address) are compared, never looked up, and were about a fifth of
-- the lookup index's rows and bytes (~80 B per contact at 1M). The probe index leaves them out. SQLite uses a partial index only for a query
-- that states its condition, so every lookup states it (src/dedupe/dedupe.repository.ts). The full
-- lookup index stays until 0017: the previous release's lookups do not state the condition.
CREATE INDEX `contact_identifiers_probe_idx` ON `contact_identifiers` (`tenant_id`,`kind`,`value`) WHERE kind not in ('dob', 'pan_sig', 'address');
--> statement-breakpoint
-- The rm_id and branch_id filters are equalities, which imply a value (the previous release's too):
-- contacts without one need no entry.
DROP INDEX `contacts_tenant_rm_id_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_rm_id_idx` ON `contacts` (`tenant_id`,`rm_id`,`id`) WHERE `rm_id` is not null;
--> statement-breakpoint
DROP INDEX `contacts_tenant_branch_id_idx`;
--> statement-breakpoint
CREATE INDEX `contacts_tenant_branch_id_idx` ON `contacts` (`tenant_id`,`branch_id`,`id`) WHERE `branch_id` is not null;
