/**
 * Internal to the system manager (billing): price sheets and admins' overrides, cost estimates
 * before a migration starts, the actual cost when it ends, and the monthly bill per tenant.
 */
package io.ferry.systemmanager.internal.billing;
