-- console: one-time login links and sessions of the committee's console (only token hashes)
CREATE TABLE `console_logins` (`id` integer PRIMARY KEY AUTOINCREMENT,`token_hash` text NOT NULL,`community_id` text NOT NULL,`staff_id` integer NOT NULL,`expires_at` datetime NOT NULL,`used_at` datetime,`created_at` datetime);
CREATE INDEX `ix_console_login_expiry` ON `console_logins`(`expires_at`);
CREATE UNIQUE INDEX `ux_console_login_token` ON `console_logins`(`token_hash`);
CREATE TABLE `console_sessions` (`id` integer PRIMARY KEY AUTOINCREMENT,`token_hash` text NOT NULL,`csrf_token` text NOT NULL,`community_id` text NOT NULL,`staff_id` integer NOT NULL,`expires_at` datetime NOT NULL,`ended_at` datetime,`created_at` datetime);
CREATE INDEX `ix_console_session_expiry` ON `console_sessions`(`expires_at`);
CREATE INDEX `ix_console_session_staff` ON `console_sessions`(`staff_id`);
CREATE UNIQUE INDEX `ux_console_session_token` ON `console_sessions`(`token_hash`);
