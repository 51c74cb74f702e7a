CREATE TABLE `contact_counts` (
	`tenant_id` text NOT NULL,
	`namespace_id` text NOT NULL,
	`status` text NOT NULL,
	`type` text NOT NULL,
	`approval_status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `namespace_id`, `status`, `type`, `approval_status`)
);
