-- core: communities, residents, appeals, events, dedupe, conversations
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `communities` (`id` text,`name` text NOT NULL,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`id`));
CREATE TABLE `residents` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`open_id` text NOT NULL,`building` text,`unit` text,`room` text,`grid_id` text,`subscribed` numeric NOT NULL DEFAULT false,`last_message_at` datetime,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `idx_residents_grid_id` ON `residents`(`grid_id`);
CREATE UNIQUE INDEX `ux_resident_openid` ON `residents`(`community_id`,`open_id`);
CREATE TABLE `appeals` (`id` integer PRIMARY KEY AUTOINCREMENT,`ref` text NOT NULL,`community_id` text NOT NULL,`open_id` text NOT NULL,`kind` text NOT NULL,`level` text NOT NULL,`status` text NOT NULL,`topic_id` text,`topic` text,`unit` text,`description` text,`grid_id` text,`building` text,`assignee` text,`media_ids` text,`location` text,`due_at` datetime,`resolved_at` datetime,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `idx_appeals_assignee` ON `appeals`(`assignee`);
CREATE INDEX `ix_appeal_topic` ON `appeals`(`community_id`,`topic_id`,`grid_id`,`created_at`);
CREATE INDEX `ix_appeal_author` ON `appeals`(`community_id`,`open_id`);
CREATE INDEX `ix_appeal_due` ON `appeals`(`community_id`,`status`,`due_at`);
CREATE UNIQUE INDEX `idx_appeals_ref` ON `appeals`(`ref`);
CREATE TABLE `appeal_events` (`id` integer PRIMARY KEY AUTOINCREMENT,`appeal_id` integer NOT NULL,`actor` text NOT NULL,`action` text NOT NULL,`from_status` text,`to_status` text,`reason` text,`at` datetime NOT NULL);
CREATE INDEX `idx_appeal_events_appeal_id` ON `appeal_events`(`appeal_id`);
CREATE TABLE `processed_messages` (`community_id` text,`dedupe_key` text,`reply` text,`created_at` datetime NOT NULL,PRIMARY KEY (`community_id`,`dedupe_key`));
CREATE INDEX `idx_processed_messages_created_at` ON `processed_messages`(`created_at`);
CREATE TABLE `conversations` (`community_id` text,`open_id` text,`state` text NOT NULL,`data` text,`expires_at` datetime NOT NULL,`updated_at` datetime,`version` integer NOT NULL DEFAULT 0,PRIMARY KEY (`community_id`,`open_id`));
CREATE INDEX `idx_conversations_expires_at` ON `conversations`(`expires_at`);
CREATE TABLE `ref_counters` (`day` text,`n` integer NOT NULL,PRIMARY KEY (`day`));
