-- The schema and data of a deployment at schema version 6, dumped (mariadb-dump) from a
-- MariaDB database that the release's own migrations created and filled. Frozen: never edit.
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `api_keys` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `name` varchar(64) NOT NULL,
  `hash` varchar(64) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `revoked_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_api_keys_hash` (`hash`),
  KEY `idx_api_keys_community_id` (`community_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `api_keys` VALUES (1,'c1','王小明 1','hash-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `api_keys` VALUES (2,'c1','王小明 2','hash-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appeal_events` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `appeal_id` bigint(20) unsigned NOT NULL,
  `actor` varchar(96) NOT NULL,
  `action` varchar(32) NOT NULL,
  `from_status` varchar(16) DEFAULT NULL,
  `to_status` varchar(16) DEFAULT NULL,
  `reason` text DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_appeal_events_appeal_id` (`appeal_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `appeal_events` VALUES (1,1,'actor-1','submitted','from_status-1','to_status-1','居民反映 1','2026-05-01 08:15:30.123');
INSERT INTO `appeal_events` VALUES (2,2,'actor-2','submitted','from_status-2','to_status-2','居民反映 2','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `appeals` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `ref` varchar(24) NOT NULL,
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `level` varchar(16) NOT NULL,
  `status` varchar(16) NOT NULL,
  `topic_id` varchar(64) DEFAULT NULL,
  `topic` varchar(128) DEFAULT NULL,
  `unit` varchar(128) DEFAULT NULL,
  `description` text DEFAULT NULL,
  `grid_id` varchar(64) DEFAULT NULL,
  `building` varchar(16) DEFAULT NULL,
  `assignee` varchar(64) DEFAULT NULL,
  `media_ids` text DEFAULT NULL,
  `location` varchar(255) DEFAULT NULL,
  `due_at` datetime(3) DEFAULT NULL,
  `resolved_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_appeals_ref` (`ref`),
  KEY `ix_appeal_due` (`community_id`,`status`,`due_at`),
  KEY `ix_appeal_author` (`community_id`,`open_id`),
  KEY `ix_appeal_topic` (`community_id`,`topic_id`,`grid_id`,`created_at`),
  KEY `idx_appeals_assignee` (`assignee`),
  KEY `ix_appeal_status_due` (`status`,`due_at`),
  KEY `ix_appeal_created` (`community_id`,`created_at`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `appeals` VALUES (1,'GZ20260501-0001','c1','oRES1','small','community','submitted','topic_id-1','楼道灯 1','unit-1','3栋楼道灯坏了，晚上看不见 1','grid_id-1','building-1','assignee-1','media_ids-1','location-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `appeals` VALUES (2,'GZ20260501-0002','c1','oRES2','small','community','submitted','topic_id-2','楼道灯 2','unit-2','3栋楼道灯坏了，晚上看不见 2','grid_id-2','building-2','assignee-2','media_ids-2','location-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bind_attempts` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_bind_attempt` (`community_id`,`open_id`,`at`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `bind_attempts` VALUES (1,'c1','oRES1','2026-05-01 08:15:30.123');
INSERT INTO `bind_attempts` VALUES (2,'c1','oRES2','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `communities` (
  `id` varchar(64) NOT NULL,
  `name` varchar(128) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `communities` VALUES ('c1','王小明 1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `conversations` (
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `state` varchar(32) NOT NULL,
  `data` text DEFAULT NULL,
  `expires_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  `version` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`community_id`,`open_id`),
  KEY `idx_conversations_expires_at` (`expires_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `conversations` VALUES ('c1','oRES1','idle','data-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123',1);
INSERT INTO `conversations` VALUES ('c1','oRES2','idle','data-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123',2);
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `departments` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `name` varchar(128) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_department_name` (`community_id`,`name`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `departments` VALUES (1,'c1','王小明 1','2026-05-01 08:15:30.123');
INSERT INTO `departments` VALUES (2,'c1','王小明 2','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `followers` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `appeal_id` bigint(20) unsigned NOT NULL,
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_follower` (`appeal_id`,`open_id`),
  KEY `ix_follower_openid` (`community_id`,`open_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `followers` VALUES (1,1,'c1','oRES1','2026-05-01 08:15:30.123');
INSERT INTO `followers` VALUES (2,2,'c1','oRES2','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `grids` (
  `community_id` varchar(64) NOT NULL,
  `id` varchar(64) NOT NULL,
  `name` varchar(64) DEFAULT NULL,
  `buildings` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`community_id`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `grids` VALUES ('c1','grid-1','王小明 1','buildings-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `grids` VALUES ('c1','grid-2','王小明 2','buildings-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `job_locks` (
  `name` varchar(64) NOT NULL,
  `owner` varchar(96) NOT NULL,
  `until` datetime(3) NOT NULL,
  `last_tick` datetime(3) NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `job_locks` VALUES ('王小明 1','owner-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `job_locks` VALUES ('王小明 2','owner-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `meeting_invitees` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `meeting_id` bigint(20) unsigned NOT NULL,
  `who` varchar(80) NOT NULL,
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `stakeholder_id` bigint(20) unsigned NOT NULL DEFAULT 0,
  `name` varchar(64) DEFAULT NULL,
  `phone` varchar(32) DEFAULT NULL,
  `source` varchar(16) NOT NULL,
  `answer` varchar(16) NOT NULL,
  `answered_at` datetime(3) DEFAULT NULL,
  `invited_rev` bigint(20) NOT NULL DEFAULT 0,
  `unreachable` varchar(16) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_invitee_who` (`meeting_id`,`who`),
  KEY `ix_invitee_openid` (`community_id`,`open_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `meeting_invitees` VALUES (1,1,'who-1','c1','oRES1',1,'王小明 1','phone-1','appeal','yes','2026-05-01 08:15:30.123',1,'unreachable-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `meeting_invitees` VALUES (2,2,'who-2','c1','oRES2',2,'王小明 2','phone-2','appeal','yes','2026-05-02 08:15:30.123',2,'unreachable-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `meetings` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `code` varchar(16) NOT NULL,
  `topic` varchar(128) NOT NULL,
  `level` varchar(16) NOT NULL,
  `starts_at` datetime(3) NOT NULL,
  `venue` varchar(128) NOT NULL,
  `capacity` bigint(20) NOT NULL DEFAULT 0,
  `status` varchar(16) NOT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 1,
  `version` bigint(20) NOT NULL DEFAULT 1,
  `organiser` varchar(96) NOT NULL,
  `organiser_open_id` varchar(64) DEFAULT NULL,
  `appeal_refs` varchar(255) DEFAULT NULL,
  `buildings` varchar(255) DEFAULT NULL,
  `grids` varchar(255) DEFAULT NULL,
  `parent_id` bigint(20) unsigned NOT NULL DEFAULT 0,
  `reason` text DEFAULT NULL,
  `outcome` text DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_meeting_code` (`community_id`,`code`),
  KEY `ix_meeting_start` (`starts_at`,`community_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `meetings` VALUES (1,'c1','M0001','楼道灯 1','community','2026-05-01 08:15:30.123','venue-1',1,'submitted',1,1,'organiser-1','organiser_open_id-1','appeal_refs-1','buildings-1','grids-1',1,'居民反映 1','outcome-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `meetings` VALUES (2,'c1','M0002','楼道灯 2','community','2026-05-02 08:15:30.123','venue-2',2,'submitted',2,2,'organiser-2','organiser_open_id-2','appeal_refs-2','buildings-2','grids-2',2,'居民反映 2','outcome-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `outbox_messages` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `type` varchar(32) NOT NULL,
  `text` text NOT NULL,
  `data` text DEFAULT NULL,
  `idem_key` varchar(128) NOT NULL,
  `status` varchar(16) NOT NULL,
  `channel` varchar(16) DEFAULT NULL,
  `force_template` tinyint(1) NOT NULL DEFAULT 0,
  `attempts` bigint(20) NOT NULL DEFAULT 0,
  `next_attempt_at` datetime(3) NOT NULL,
  `lease_owner` varchar(96) DEFAULT NULL,
  `lease_until` datetime(3) DEFAULT NULL,
  `last_error` varchar(32) DEFAULT NULL,
  `sent_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_outbox_key` (`idem_key`),
  KEY `ix_outbox_recipient` (`community_id`,`open_id`,`sent_at`),
  KEY `ix_outbox_failed` (`community_id`,`status`,`created_at`),
  KEY `ix_outbox_due` (`status`,`next_attempt_at`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `outbox_messages` VALUES (1,'c1','oRES1','status','您的诉求已受理 1','data-1','idem_key-1','submitted','channel-1',1,1,'2026-05-01 08:15:30.123','lease_owner-1','2026-05-01 08:15:30.123','last_error-1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `outbox_messages` VALUES (2,'c1','oRES2','status','您的诉求已受理 2','data-2','idem_key-2','submitted','channel-2',2,2,'2026-05-02 08:15:30.123','lease_owner-2','2026-05-02 08:15:30.123','last_error-2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `processed_messages` (
  `community_id` varchar(64) NOT NULL,
  `dedupe_key` varchar(160) NOT NULL,
  `reply` text DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`community_id`,`dedupe_key`),
  KEY `idx_processed_messages_created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `processed_messages` VALUES ('c1','dedupe_key-1','reply-1','2026-05-01 08:15:30.123');
INSERT INTO `processed_messages` VALUES ('c1','dedupe_key-2','reply-2','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ref_counters` (
  `day` varchar(8) NOT NULL,
  `n` bigint(20) NOT NULL,
  PRIMARY KEY (`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `ref_counters` VALUES ('day-1',1);
INSERT INTO `ref_counters` VALUES ('day-2',2);
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `reminders_sent` (
  `appeal_id` bigint(20) unsigned NOT NULL,
  `lead_seconds` bigint(20) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`appeal_id`,`lead_seconds`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `reminders_sent` VALUES (1,1,'2026-05-01 08:15:30.123');
INSERT INTO `reminders_sent` VALUES (2,2,'2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `residents` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `open_id` varchar(64) NOT NULL,
  `building` varchar(16) DEFAULT NULL,
  `unit` varchar(16) DEFAULT NULL,
  `room` varchar(16) DEFAULT NULL,
  `grid_id` varchar(64) DEFAULT NULL,
  `subscribed` tinyint(1) NOT NULL DEFAULT 0,
  `last_message_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_resident_openid` (`community_id`,`open_id`),
  KEY `idx_residents_grid_id` (`grid_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `residents` VALUES (1,'c1','oRES1','building-1','unit-1','room-1','grid_id-1',1,'2026-05-01 08:15:30.123','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `residents` VALUES (2,'c1','oRES2','building-2','unit-2','room-2','grid_id-2',2,'2026-05-02 08:15:30.123','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `schema_migrations` (
  `version` bigint(20) NOT NULL,
  `name` varchar(128) NOT NULL,
  `applied_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `schema_migrations` VALUES (1,'core: communities, residents, appeals, events, dedupe, conversations','2026-06-01 09:30:00.000');
INSERT INTO `schema_migrations` VALUES (2,'engine: followers (me too), conversation version','2026-06-01 09:30:00.000');
INSERT INTO `schema_migrations` VALUES (3,'jobs: outbox, reminders sent, job locks; due-scan indexes on appeals','2026-06-01 09:30:00.000');
INSERT INTO `schema_migrations` VALUES (4,'staff: staff, invites, bind attempts, grids, departments','2026-06-01 09:30:00.000');
INSERT INTO `schema_migrations` VALUES (5,'meetings: meetings, invitees, stakeholders','2026-06-01 09:30:00.000');
INSERT INTO `schema_migrations` VALUES (6,'open311: api keys','2026-06-01 09:30:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `staff_invites` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `code_hash` varchar(64) NOT NULL,
  `role` varchar(32) NOT NULL,
  `grid_id` varchar(64) DEFAULT NULL,
  `department` varchar(128) DEFAULT NULL,
  `name` varchar(64) NOT NULL,
  `expires_at` datetime(3) NOT NULL,
  `used_at` datetime(3) DEFAULT NULL,
  `staff_id` bigint(20) unsigned DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_staff_invites_code_hash` (`code_hash`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `staff_invites` VALUES (1,'c1','code_hash-1','grid','grid_id-1','department-1','王小明 1','2026-05-01 08:15:30.123','2026-05-01 08:15:30.123',1,'2026-05-01 08:15:30.123');
INSERT INTO `staff_invites` VALUES (2,'c1','code_hash-2','grid','grid_id-2','department-2','王小明 2','2026-05-02 08:15:30.123','2026-05-02 08:15:30.123',2,'2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `staffs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `role` varchar(32) NOT NULL,
  `name` varchar(64) NOT NULL,
  `grid_id` varchar(64) DEFAULT NULL,
  `department` varchar(128) DEFAULT NULL,
  `open_id` varchar(64) NOT NULL,
  `bound_at` datetime(3) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_staff_openid` (`community_id`,`open_id`),
  KEY `ix_staff_role` (`community_id`,`role`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `staffs` VALUES (1,'c1','grid','王小明 1','grid_id-1','department-1','oRES1','2026-05-01 08:15:30.123',1,'2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `staffs` VALUES (2,'c1','grid','王小明 2','grid_id-2','department-2','oRES2','2026-05-02 08:15:30.123',2,'2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `stakeholders` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `community_id` varchar(64) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `name` varchar(64) NOT NULL,
  `contact` varchar(64) DEFAULT NULL,
  `open_id` varchar(64) DEFAULT NULL,
  `phone` varchar(32) DEFAULT NULL,
  `buildings` varchar(255) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_stakeholders_community_id` (`community_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `stakeholders` VALUES (1,'c1','small','王小明 1','contact-1','oRES1','phone-1','buildings-1',1,'2026-05-01 08:15:30.123','2026-05-01 08:15:30.123');
INSERT INTO `stakeholders` VALUES (2,'c1','small','王小明 2','contact-2','oRES2','phone-2','buildings-2',2,'2026-05-02 08:15:30.123','2026-05-02 08:15:30.123');
