/** Internal to the system manager (web); not an API for other modules. */
package io.ferry.systemmanager.internal.web;
