package io.ferry.orchestrator;

/**
 * Looks up the cloud accounts a migration names. The host (the system manager) implements it from
 * its encrypted account records; workers call it each time a step needs a plugin, so credentials
 * never sit in the orchestrator's tables.
 */
@FunctionalInterface
public interface AccountResolver {

  /**
   * The plugin id and configuration (with decrypted secrets) of {@code accountId}.
   *
   * @throws io.ferry.standardization.FerryException NOT_FOUND when the account does not exist
   */
  ResolvedAccount resolve(String accountId);
}
