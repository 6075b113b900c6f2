// Package jobs sends pushes reliably and runs the scheduled jobs.
//
// Every push is first a row of the outbox (models.OutboxMessage), written in
// the same transaction as the change that causes it. The Dispatcher runs
// continuously: it leases due rows, sends them at a fixed rate through a
// customer-service message (inside the 48-hour window, a few per window) or a
// template message, retries transient errors with backoff and records
// permanent failures for the committee (store.FailedPushes).
//
// Delivery is exactly once in effect for template messages: a row is retried
// until it is marked sent, and WeChat drops a repeat with the same
// client_msg_id (the row's key). Customer-service messages have no such id,
// so they are at most once: the attempt is recorded before the call, and a
// row found in that state after a crash is never sent again but listed as
// failed with code "uncertain" so that staff can check with the person.
//
// The Scheduler runs the jobs (DeadlineReminder, OverdueEscalation,
// MeetingReminder, DailyDigest, ConversationExpiry, DedupeCleanup) on cron
// schedules, each run behind a database lock so that with several replicas
// each scheduled run happens once. Jobs are plain structs with Run(ctx) and
// an injected clock: tests call them directly. Each names the few store
// methods it needs as a small interface (models/store implements them all),
// renders its texts through the catalog (bot/messages) and reaches WeChat
// only through the adapter (bot/wx).
package jobs
