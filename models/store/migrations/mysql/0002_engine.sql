-- engine: followers (me too), conversation version
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `followers` (`id` bigint unsigned AUTO_INCREMENT,`appeal_id` bigint unsigned NOT NULL,`community_id` varchar(64) NOT NULL,`open_id` varchar(64) NOT NULL,`created_at` datetime(3) NOT NULL,PRIMARY KEY (`id`),UNIQUE INDEX `ux_follower` (`appeal_id`,`open_id`),INDEX `ix_follower_openid` (`community_id`,`open_id`));
