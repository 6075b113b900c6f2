-- security: signed webhook requests (one body per signed triple within the replay window)
CREATE TABLE `signed_requests` (`app_id` varchar(64),`ts` bigint,`nonce` varchar(64),`digest` varchar(64) NOT NULL,`seen_at` datetime(3) NOT NULL,PRIMARY KEY (`app_id`,`ts`,`nonce`),INDEX `idx_signed_requests_seen_at` (`seen_at`));
