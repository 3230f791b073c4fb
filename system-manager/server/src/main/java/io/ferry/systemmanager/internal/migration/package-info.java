/** Internal to the system manager (migration); not an API for other modules. */
package io.ferry.systemmanager.internal.migration;
