package io.ferry.systemmanager.internal.account;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * A cloud account to create or the full new state of one to update. On update, {@code secrets}
 * null keeps the stored secrets. {@link #toString()} never shows secret values.
 *
 * @param pluginId the plugin, such as {@code local} or {@code aws}; cannot change on update
 * @param name a name unique in the tenant
 * @param region the region or site
 * @param endpoint an endpoint override
 * @param settings the plugin's plain settings; unknown keys are refused
 * @param secrets the plugin's credentials; encrypted at rest, never returned
 */
public record CloudAccountRequest(
    @NotBlank @Size(max = 50) String pluginId,
    @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9 ._-]*", message = "letters, digits, space and . _ -")
        String name,
    @Size(max = 100) String region,
    @Size(max = 500) String endpoint,
    @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 4000) String> settings,
    @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 8000) String> secrets) {

  @Override
  public String toString() {
    return "CloudAccountRequest[pluginId=" + pluginId + ", name=" + name + ", region=" + region + ", endpoint="
        + endpoint + ", settings=" + settings + ", secrets=" + (secrets == null ? null : secrets.keySet())
        + " (values hidden)]";
  }
}
