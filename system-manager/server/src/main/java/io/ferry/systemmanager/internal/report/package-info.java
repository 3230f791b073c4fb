/**
 * Internal to the system manager (report): figures for the dashboard's charts, computed from the
 * migration, step and ledger rows of the caller's tenant.
 */
package io.ferry.systemmanager.internal.report;
