/** Internal to the system manager (tenant); not an API for other modules. */
package io.ferry.systemmanager.internal.tenant;
