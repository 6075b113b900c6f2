-- chat behaviour: a resident's question from a handler, waiting for their answer (residents.asked_ref, asked_at)
ALTER TABLE `residents` ADD `asked_ref` varchar(24);
ALTER TABLE `residents` ADD `asked_at` datetime(3) NULL;
