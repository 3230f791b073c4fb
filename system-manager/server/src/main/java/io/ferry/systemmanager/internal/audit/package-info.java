/** Internal to the system manager (audit); not an API for other modules. */
package io.ferry.systemmanager.internal.audit;
