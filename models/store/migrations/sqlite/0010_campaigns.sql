-- campaigns and projects: campaigns, their recipients and answers, service projects with pledges,
-- volunteers and milestones, monthly topic proposals. Frozen: never edit.
CREATE TABLE `campaigns` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`code` text NOT NULL,`question` text NOT NULL,`audience_all` numeric NOT NULL DEFAULT false,`buildings` text,`grids` text,`ends_at` datetime NOT NULL,`status` text NOT NULL,`broadcast_at` datetime,`created_by` text NOT NULL,`version` integer NOT NULL DEFAULT 1,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `ux_campaign_code` ON `campaigns`(`community_id`,`code`);
CREATE TABLE `campaign_recipients` (`id` integer PRIMARY KEY AUTOINCREMENT,`campaign_id` integer NOT NULL,`open_id` text NOT NULL,`community_id` text NOT NULL,`source` text NOT NULL,`unreachable` text,`queued_at` datetime,`created_at` datetime);
CREATE INDEX `ix_campaign_recipient_openid` ON `campaign_recipients`(`community_id`,`open_id`);
CREATE UNIQUE INDEX `ux_campaign_recipient` ON `campaign_recipients`(`campaign_id`,`open_id`);
CREATE TABLE `campaign_answers` (`id` integer PRIMARY KEY AUTOINCREMENT,`campaign_id` integer NOT NULL,`appeal_id` integer NOT NULL,`open_id` text NOT NULL,`community_id` text NOT NULL,`how` text NOT NULL,`created_at` datetime NOT NULL);
CREATE INDEX `idx_campaign_answers_appeal_id` ON `campaign_answers`(`appeal_id`);
CREATE UNIQUE INDEX `ux_campaign_answer` ON `campaign_answers`(`campaign_id`,`appeal_id`,`open_id`);
CREATE TABLE `projects` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`code` text NOT NULL,`name` text NOT NULL,`need` text NOT NULL,`lead_stakeholder_id` integer NOT NULL DEFAULT 0,`campaign_id` integer NOT NULL DEFAULT 0,`meeting_id` integer NOT NULL DEFAULT 0,`appeal_refs` text,`status` text NOT NULL,`outcome` text,`completed_at` datetime,`created_by` text NOT NULL,`version` integer NOT NULL DEFAULT 1,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `ix_project_need` ON `projects`(`community_id`,`need`);
CREATE UNIQUE INDEX `ux_project_code` ON `projects`(`community_id`,`code`);
CREATE TABLE `project_pledges` (`id` integer PRIMARY KEY AUTOINCREMENT,`project_id` integer NOT NULL,`community_id` text NOT NULL,`source` text NOT NULL,`amount_yuan` integer NOT NULL,`donor` text,`created_by` text NOT NULL,`created_at` datetime NOT NULL);
CREATE INDEX `idx_project_pledges_project_id` ON `project_pledges`(`project_id`);
CREATE TABLE `project_volunteers` (`id` integer PRIMARY KEY AUTOINCREMENT,`project_id` integer NOT NULL,`open_id` text NOT NULL,`community_id` text NOT NULL,`active` numeric NOT NULL,`signed_up_at` datetime NOT NULL,`updated_at` datetime NOT NULL);
CREATE UNIQUE INDEX `ux_project_volunteer` ON `project_volunteers`(`project_id`,`open_id`);
CREATE TABLE `project_milestones` (`id` integer PRIMARY KEY AUTOINCREMENT,`project_id` integer NOT NULL,`title` text NOT NULL,`progress` integer NOT NULL DEFAULT -1,`note` text,`created_by` text NOT NULL,`created_at` datetime NOT NULL);
CREATE INDEX `idx_project_milestones_project_id` ON `project_milestones`(`project_id`);
CREATE TABLE `topic_proposals` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`month` text NOT NULL,`topic_id` text NOT NULL,`topic` text NOT NULL,`mentions` integer NOT NULL,`appeal_refs` text,`meeting_id` integer NOT NULL DEFAULT 0,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `ux_topic_proposal` ON `topic_proposals`(`community_id`,`month`);
