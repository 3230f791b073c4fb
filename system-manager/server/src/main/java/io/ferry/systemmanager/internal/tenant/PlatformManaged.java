package io.ferry.systemmanager.internal.tenant;

/** Marks entities a platform admin sees across all tenants (tenants and users). */
public interface PlatformManaged {}
