-- classifier learning: residents' and committee's votes on their community's phrases
-- Frozen: never edit. Add a later version to change it.
CREATE TABLE `learning_votes` (`id` integer PRIMARY KEY AUTOINCREMENT,`community_id` text NOT NULL,`phrase` text NOT NULL,`voter` text NOT NULL,`committee` numeric NOT NULL,`kind` text NOT NULL,`topic_id` text,`created_at` datetime NOT NULL);
CREATE UNIQUE INDEX `ux_learning_vote` ON `learning_votes`(`community_id`,`phrase`,`voter`);
