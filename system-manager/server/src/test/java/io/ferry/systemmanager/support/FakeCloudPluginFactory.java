package io.ferry.systemmanager.support;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ConfigProperty;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hand-written fake cloud for the system manager's tests, id {@code fake}. Setting {@code
 * location} (required) and {@code project}; secrets {@code password} (required; refused when it
 * starts with "wrong") and {@code token}. Its images are what a test put in {@link #IMAGES} for the
 * location, else two default images.
 */
public class FakeCloudPluginFactory implements CloudPluginFactory {

  /** Images per location. */
  public static final Map<String, List<ImageInfo>> IMAGES = new ConcurrentHashMap<>();

  /** Every configuration a plugin was created with (to check secrets arrive decrypted). */
  public static final List<CloudAccountConfig> CREATED = new java.util.concurrent.CopyOnWriteArrayList<>();

  public static ImageInfo image(String id, String name) {
    return new ImageInfo(id, name, "v1", DiskFormat.QCOW2, 2L << 30, "Debian 12", Architecture.X86_64, BootMode.UEFI,
        "kvm", Map.of("team", "platform"), Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Override
  public String id() {
    return "fake";
  }

  @Override
  public String displayName() {
    return "Fake cloud for tests";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.LIST_IMAGES, Capability.EXPORT_IMAGE, Capability.REGISTER_IMAGE);
  }

  @Override
  public List<ConfigProperty> configProperties() {
    return List.of(
        new ConfigProperty("location", "where the fake cloud is", true, false, null),
        new ConfigProperty("project", "a project", false, false, "demo"),
        new ConfigProperty("password", "the password", true, true, null),
        new ConfigProperty("token", "an optional token", false, true, null));
  }

  @Override
  public CloudPlugin create(CloudAccountConfig config, PluginContext context) {
    CREATED.add(config);
    return new CloudPlugin() {
      @Override
      public void validate() {
        if (config.secrets().getOrDefault("password", "").startsWith("wrong")) {
          throw new FerryException(ErrorCode.CLOUD_AUTHENTICATION_FAILED, "the fake cloud refused the password");
        }
      }

      @Override
      public List<ImageInfo> listImages() {
        return IMAGES.getOrDefault(config.settings().get("location"),
            List.of(image("img-debian", "debian-12"), image("img-ubuntu", "ubuntu-24.04")));
      }

      @Override
      public CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
        return new CleanupReport(List.of(), List.of());
      }
    };
  }
}
