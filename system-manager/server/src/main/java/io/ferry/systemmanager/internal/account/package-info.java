/** Internal to the system manager (account); not an API for other modules. */
package io.ferry.systemmanager.internal.account;
