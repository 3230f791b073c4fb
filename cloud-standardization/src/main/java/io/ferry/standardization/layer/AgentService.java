package io.ferry.standardization.layer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * A guest agent package and the systemd units that run it.
 *
 * @param packageName the package name (dpkg or rpm)
 * @param units the units to enable when the package is installed
 */
public record AgentService(@JsonProperty("package") String packageName, List<String> units) {

  public AgentService {
    Objects.requireNonNull(packageName, "package");
    units = units == null ? List.of() : List.copyOf(units);
  }
}
