/** Internal to the system manager (catalogue); not an API for other modules. */
package io.ferry.systemmanager.internal.catalogue;
