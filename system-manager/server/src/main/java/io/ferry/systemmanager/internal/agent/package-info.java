/**
 * Internal to the system manager (agent): the server side of the helper-mode protocol, the
 * endpoints under {@code /api/v1/agent/jobs/{job}/...} that the guest agent on a helper calls with
 * its job-scoped token; not an API for other modules.
 */
package io.ferry.systemmanager.internal.agent;
