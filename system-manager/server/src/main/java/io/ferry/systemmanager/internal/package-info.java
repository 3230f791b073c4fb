/**
 * Internal to the system manager: nothing here is an API for other modules. The REST API under
 * {@code /api/v1} is the system manager's contract.
 */
package io.ferry.systemmanager.internal;
