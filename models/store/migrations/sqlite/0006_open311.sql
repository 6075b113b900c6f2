-- open311: api keys
-- Released schema, as gorm created it for this version. Frozen: never edit.
CREATE TABLE `api_keys` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`name` text NOT NULL,`hash` text NOT NULL,`created_at` datetime NOT NULL,`revoked_at` datetime);
CREATE UNIQUE INDEX `idx_api_keys_hash` ON `api_keys`(`hash`);
CREATE INDEX `idx_api_keys_community_id` ON `api_keys`(`community_id`);
