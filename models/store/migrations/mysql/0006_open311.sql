-- open311: api keys
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `api_keys` (`id` bigint unsigned AUTO_INCREMENT,`community_id` varchar(64) NOT NULL,`name` varchar(64) NOT NULL,`hash` varchar(64) NOT NULL,`created_at` datetime(3) NOT NULL,`revoked_at` datetime(3) NULL,PRIMARY KEY (`id`),INDEX `idx_api_keys_community_id` (`community_id`),UNIQUE INDEX `idx_api_keys_hash` (`hash`));
