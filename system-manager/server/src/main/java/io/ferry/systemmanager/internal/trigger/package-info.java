/**
 * Internal to the system manager (trigger): triggers that start migrations on their own (a cron
 * schedule, a new or updated image in a watched account, a price condition), evaluated by a
 * recurring db-scheduler task; each event fires at most once across workers.
 */
package io.ferry.systemmanager.internal.trigger;
