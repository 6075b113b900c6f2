-- staff: staff, invites, bind attempts, grids, departments
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `staffs` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`role` text NOT NULL,`name` text NOT NULL,`grid_id` text,`department` text,`open_id` text NOT NULL,`bound_at` datetime,`active` numeric NOT NULL DEFAULT true,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `ix_staff_role` ON `staffs`(`community_id`,`role`);
CREATE INDEX `ix_staff_openid` ON `staffs`(`community_id`,`open_id`);
CREATE TABLE `staff_invites` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`code_hash` text NOT NULL,`role` text NOT NULL,`grid_id` text,`department` text,`name` text NOT NULL,`expires_at` datetime NOT NULL,`used_at` datetime,`staff_id` integer,`created_at` datetime);
CREATE UNIQUE INDEX `idx_staff_invites_code_hash` ON `staff_invites`(`code_hash`);
CREATE TABLE `bind_attempts` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`open_id` text NOT NULL,`at` datetime NOT NULL);
CREATE INDEX `ix_bind_attempt` ON `bind_attempts`(`community_id`,`open_id`,`at`);
CREATE TABLE `grids` (`community_id` text,`id` text,`name` text,`buildings` text,`created_at` datetime,`updated_at` datetime,PRIMARY KEY (`community_id`,`id`));
CREATE TABLE `departments` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`name` text NOT NULL,`created_at` datetime);
CREATE UNIQUE INDEX `ux_department_name` ON `departments`(`community_id`,`name`);
