/**
 * The orchestrator's internals: the job tables, the db-scheduler task, the steps, the guest agent
 * process and host clean-up. Not for use outside the orchestrator module.
 */
package io.ferry.orchestrator.internal;
