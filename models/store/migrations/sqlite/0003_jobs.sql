-- jobs: outbox, reminders sent, job locks; due-scan indexes on appeals
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `outbox_messages` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`open_id` text NOT NULL,`type` text NOT NULL,`text` text NOT NULL,`data` text,`idem_key` text NOT NULL,`status` text NOT NULL,`channel` text,`force_template` numeric NOT NULL DEFAULT false,`attempts` integer NOT NULL DEFAULT 0,`next_attempt_at` datetime NOT NULL,`lease_owner` text,`lease_until` datetime,`last_error` text,`sent_at` datetime,`created_at` datetime NOT NULL,`updated_at` datetime);
CREATE INDEX `ix_outbox_due` ON `outbox_messages`(`status`,`next_attempt_at`);
CREATE UNIQUE INDEX `ux_outbox_key` ON `outbox_messages`(`idem_key`);
CREATE INDEX `ix_outbox_failed` ON `outbox_messages`(`community_id`,`status`,`created_at`);
CREATE INDEX `ix_outbox_recipient` ON `outbox_messages`(`community_id`,`open_id`,`sent_at`);
CREATE TABLE `reminders_sent` (`appeal_id` integer,`lead_seconds` integer,`created_at` datetime,PRIMARY KEY (`appeal_id`,`lead_seconds`));
CREATE TABLE `job_locks` (`name` text,`owner` text NOT NULL,`until` datetime NOT NULL,`last_tick` datetime NOT NULL,PRIMARY KEY (`name`));
CREATE INDEX ix_appeal_status_due ON appeals (status, due_at);
CREATE INDEX ix_appeal_created ON appeals (community_id, created_at);
