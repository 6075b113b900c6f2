-- engine: followers (me too), conversation version
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `followers` (`id` integer PRIMARY KEY AUTOINCREMENT,`appeal_id` integer NOT NULL,`community_id` text NOT NULL,`open_id` text NOT NULL,`created_at` datetime NOT NULL);
CREATE INDEX `ix_follower_openid` ON `followers`(`community_id`,`open_id`);
CREATE UNIQUE INDEX `ux_follower` ON `followers`(`appeal_id`,`open_id`);
