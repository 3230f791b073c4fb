package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.tenant.AppUser;
import io.ferry.systemmanager.internal.tenant.Role;
import java.io.Serializable;
import java.util.UUID;

/**
 * Who is calling: a signed-in user (session) or a user's API token.
 *
 * @param userId the user
 * @param tenantId the user's tenant
 * @param username the user's name, used as the actor in the audit log
 * @param role the user's role in the tenant
 * @param platformAdmin whether the user manages the whole platform
 * @param tokenId the API token used, or null for a session
 */
public record FerryPrincipal(
    UUID userId, UUID tenantId, String username, Role role, boolean platformAdmin, UUID tokenId)
    implements Serializable {

  /** The principal of a user signing in with a password. */
  public static FerryPrincipal of(AppUser user) {
    return new FerryPrincipal(
        user.id(), user.tenantId(), user.username(), user.role(), user.platformAdmin(), null);
  }

  /** The principal of a user calling with one of their API tokens. */
  public static FerryPrincipal of(AppUser user, UUID tokenId) {
    return new FerryPrincipal(
        user.id(), user.tenantId(), user.username(), user.role(), user.platformAdmin(), tokenId);
  }
}
