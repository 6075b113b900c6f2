-- classifier learning: residents' and committee's votes on their community's phrases
-- Frozen: never edit. Add a later version to change it.
CREATE TABLE `learning_votes` (`id` bigint unsigned AUTO_INCREMENT,`community_id` varchar(64) NOT NULL,`phrase` varchar(64) NOT NULL,`voter` varchar(80) NOT NULL,`committee` boolean NOT NULL,`kind` varchar(16) NOT NULL,`topic_id` varchar(64),`created_at` datetime(3) NOT NULL,PRIMARY KEY (`id`),UNIQUE INDEX `ux_learning_vote` (`community_id`,`phrase`,`voter`));
