/**
 * Internal to the system manager (policy): a tenant's policies (which accounts and regions a role
 * or user may use, limits, monthly budget, approval rules), the one evaluation every migration
 * request passes ({@link io.ferry.systemmanager.internal.policy.MigrationAdmission}), and approvals.
 */
package io.ferry.systemmanager.internal.policy;
