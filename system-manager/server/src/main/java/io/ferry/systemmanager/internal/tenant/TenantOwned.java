package io.ferry.systemmanager.internal.tenant;

import java.util.UUID;

/** An entity that belongs to exactly one tenant; {@link TenantScope} is the only way to load it. */
public interface TenantOwned {

  /** The id of the owning tenant. */
  UUID tenantId();
}
