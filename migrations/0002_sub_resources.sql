CREATE TABLE `addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`address_line` text NOT NULL,
	`city` text NOT NULL,
	`state` text NOT NULL,
	`pincode` text NOT NULL,
	`country` text NOT NULL,
	`type` text NOT NULL,
	`lat` real,
	`lng` real,
	`codes` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `addresses_tenant_contact_created_idx` ON `addresses` (`tenant_id`,`contact_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_tenant_created_idx` ON `addresses` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_tenant_updated_idx` ON `addresses` (`tenant_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `addresses_tenant_type_created_idx` ON `addresses` (`tenant_id`,`type`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `bank_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`account_number` text NOT NULL,
	`ifsc` text NOT NULL,
	`account_holder_name` text NOT NULL,
	`bank_name` text,
	`branch_name` text,
	`account_type` text NOT NULL,
	`is_primary` integer DEFAULT false NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bank_accounts_contact_account_uq` ON `bank_accounts` (`tenant_id`,`contact_id`,`account_number`,`ifsc`);--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_created_idx` ON `bank_accounts` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_updated_idx` ON `bank_accounts` (`tenant_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_contact_created_idx` ON `bank_accounts` (`tenant_id`,`contact_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_ifsc_created_idx` ON `bank_accounts` (`tenant_id`,`ifsc`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `bank_accounts_tenant_type_created_idx` ON `bank_accounts` (`tenant_id`,`account_type`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `relations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`type` text NOT NULL,
	`related_contact_id` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE INDEX `relations_tenant_created_idx` ON `relations` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `relations_tenant_updated_idx` ON `relations` (`tenant_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `relations_tenant_contact_created_idx` ON `relations` (`tenant_id`,`contact_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `relations_tenant_related_created_idx` ON `relations` (`tenant_id`,`related_contact_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `relations_tenant_type_created_idx` ON `relations` (`tenant_id`,`type`,`created_at`,`id`);