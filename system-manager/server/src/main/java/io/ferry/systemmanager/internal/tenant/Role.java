package io.ferry.systemmanager.internal.tenant;

/** A user's role in their tenant. */
public enum Role {
  /** Manages the tenant's users, cloud accounts and everything an operator does. */
  ADMIN,
  /** Starts and cancels migrations and refreshes image catalogues. */
  OPERATOR,
  /** Reads. */
  VIEWER
}
