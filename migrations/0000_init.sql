CREATE TABLE `contact_history` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`changes` text NOT NULL,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `contact_history_tenant_contact_at_idx` ON `contact_history` (`tenant_id`,`contact_id`,`at`,`id`);--> statement-breakpoint
CREATE TABLE `contact_identifiers` (
	`tenant_id` text NOT NULL,
	`namespace_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`field` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contact_identifiers_lookup_idx` ON `contact_identifiers` (`tenant_id`,`kind`,`value`,`namespace_id`);--> statement-breakpoint
CREATE INDEX `contact_identifiers_contact_idx` ON `contact_identifiers` (`tenant_id`,`contact_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`namespace_id` text NOT NULL,
	`ref_id` text,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`approval_status` text DEFAULT 'pending' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`refs` text,
	`props` text DEFAULT '[]' NOT NULL,
	`rm_id` text,
	`branch_id` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_tenant_ns_ref_uq` ON `contacts` (`tenant_id`,`namespace_id`,`ref_id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_created_idx` ON `contacts` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_updated_idx` ON `contacts` (`tenant_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_name_idx` ON `contacts` (`tenant_id`,`name`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_ns_created_idx` ON `contacts` (`tenant_id`,`namespace_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_status_created_idx` ON `contacts` (`tenant_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_type_created_idx` ON `contacts` (`tenant_id`,`type`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_approval_created_idx` ON `contacts` (`tenant_id`,`approval_status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_rm_created_idx` ON `contacts` (`tenant_id`,`rm_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_tenant_branch_created_idx` ON `contacts` (`tenant_id`,`branch_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `namespaces` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`contact_pattern` text,
	`contact_counter` integer DEFAULT 1 NOT NULL,
	`account_pattern` text,
	`account_counter` integer DEFAULT 1 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `namespaces_tenant_name_uq` ON `namespaces` (`tenant_id`,lower("name"));--> statement-breakpoint
CREATE INDEX `namespaces_tenant_created_idx` ON `namespaces` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `namespaces_tenant_updated_idx` ON `namespaces` (`tenant_id`,`updated_at`,`id`);