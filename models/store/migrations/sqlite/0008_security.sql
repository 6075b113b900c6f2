-- security: signed webhook requests (one body per signed triple within the replay window)
CREATE TABLE `signed_requests` (`app_id` text,`ts` integer,`nonce` text,`digest` text NOT NULL,`seen_at` datetime NOT NULL,PRIMARY KEY (`app_id`,`ts`,`nonce`));
CREATE INDEX `idx_signed_requests_seen_at` ON `signed_requests`(`seen_at`);
