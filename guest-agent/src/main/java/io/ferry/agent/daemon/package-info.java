/**
 * Helper mode: the agent polls the control plane for a job's instructions with a job-scoped
 * token, runs them and posts progress and reports. The protocol is described in the guest agent's
 * README.md.
 */
package io.ferry.agent.daemon;
