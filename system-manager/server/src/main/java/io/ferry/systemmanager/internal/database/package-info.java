/** Internal to the system manager (database); not an API for other modules. */
package io.ferry.systemmanager.internal.database;
