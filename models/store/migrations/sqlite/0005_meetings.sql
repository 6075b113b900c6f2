-- meetings: meetings, invitees, stakeholders
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `meetings` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`code` text NOT NULL,`topic` text NOT NULL,`level` text NOT NULL,`starts_at` datetime NOT NULL,`venue` text NOT NULL,`capacity` integer NOT NULL DEFAULT 0,`status` text NOT NULL,`revision` integer NOT NULL DEFAULT 1,`version` integer NOT NULL DEFAULT 1,`organiser` text NOT NULL,`organiser_open_id` text,`appeal_refs` text,`buildings` text,`grids` text,`parent_id` integer NOT NULL DEFAULT 0,`reason` text,`outcome` text,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `ix_meeting_start` ON `meetings`(`starts_at`,`community_id`);
CREATE UNIQUE INDEX `ux_meeting_code` ON `meetings`(`community_id`,`code`);
CREATE TABLE `meeting_invitees` (`id` integer PRIMARY KEY AUTOINCREMENT,`meeting_id` integer NOT NULL,`who` text NOT NULL,`community_id` text NOT NULL,`open_id` text NOT NULL,`stakeholder_id` integer NOT NULL DEFAULT 0,`name` text,`phone` text,`source` text NOT NULL,`answer` text NOT NULL,`answered_at` datetime,`invited_rev` integer NOT NULL DEFAULT 0,`unreachable` text,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `ix_invitee_openid` ON `meeting_invitees`(`community_id`,`open_id`);
CREATE UNIQUE INDEX `ux_invitee_who` ON `meeting_invitees`(`meeting_id`,`who`);
CREATE TABLE `stakeholders` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`kind` text NOT NULL,`name` text NOT NULL,`contact` text,`open_id` text,`phone` text,`buildings` text,`active` numeric NOT NULL DEFAULT true,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `idx_stakeholders_community_id` ON `stakeholders`(`community_id`);
