package io.ferry.systemmanager.internal.policy;

/** What a policy says. */
public enum PolicyKind {
  /** Which source and target accounts and regions the policy's subject may use. */
  ACCESS,
  /** Largest image, concurrent migrations, monthly budget. */
  LIMIT,
  /** Matching migrations wait for a tenant admin's approval. */
  APPROVAL
}
