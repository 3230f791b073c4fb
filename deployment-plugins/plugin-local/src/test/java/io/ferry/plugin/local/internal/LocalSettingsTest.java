package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.ConfigProperty;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalSettingsTest {

  @Test
  void defaultsNeedOnlyTheDirectory() {
    LocalSettings settings = LocalSettings.parse(config(Map.of("directory", "/srv/ferry/cloud-a")));

    assertThat(settings.directory()).isEqualTo(Path.of("/srv/ferry/cloud-a"));
    assertThat(settings.format()).isEqualTo(DiskFormat.QCOW2);
    assertThat(settings.layer()).isNull();
    assertThat(settings.maxVolumeBytes()).isEqualTo(Long.MAX_VALUE);
    assertThat(settings.agentJar()).isNull();
  }

  @Test
  void everySettingIsMapped() {
    LocalSettings settings =
        LocalSettings.parse(
            config(
                Map.of(
                    "directory", "/srv/ferry/../ferry/cloud-b",
                    "format", "vmdk-streamOptimized",
                    "layer", "vsphere",
                    "maxVolumeBytes", "1073741824",
                    "agentJar", "/opt/ferry/ferry-agent.jar")));

    assertThat(settings)
        .isEqualTo(
            new LocalSettings(
                Path.of("/srv/ferry/cloud-b"),
                DiskFormat.VMDK_STREAM_OPTIMIZED,
                "vsphere",
                1L << 30,
                Path.of("/opt/ferry/ferry-agent.jar")));
  }

  @Test
  void declaredPropertiesMatchTheAcceptedKeys() {
    assertThat(LocalSettings.PROPERTIES)
        .extracting(ConfigProperty::key)
        .containsExactly("directory", "format", "layer", "maxVolumeBytes", "agentJar", "bootAccelerator");
    assertThat(LocalSettings.PROPERTIES).filteredOn(ConfigProperty::required).extracting(ConfigProperty::key).containsExactly("directory");
    assertThat(LocalSettings.PROPERTIES).noneMatch(ConfigProperty::secret);
    assertThat(LocalSettings.PROPERTIES.get(1).defaultValue()).isEqualTo("qcow2");
    assertThat(LocalSettings.PROPERTIES.get(5).defaultValue()).isEqualTo("auto");
  }

  @Test
  void bootAcceleratorIsAutoKvmOrTcg() {
    CloudAccountConfig tcg = new CloudAccountConfig("a", null, null, Map.of("directory", "/srv/a", "bootAccelerator", "tcg"), Map.of());
    assertThat(LocalSettings.parse(tcg).bootAccelerator()).isEqualTo("tcg");
    assertThat(LocalSettings.parse(new CloudAccountConfig("a", null, null, Map.of("directory", "/srv/a"), Map.of())).bootAccelerator())
        .isEqualTo("auto");
    CloudAccountConfig xen = new CloudAccountConfig("a", null, null, Map.of("directory", "/srv/a", "bootAccelerator", "xen"), Map.of());
    assertThatThrownBy(() -> LocalSettings.parse(xen)).hasMessageContaining("auto, kvm or tcg");
  }

  @Test
  void unknownKeyIsRefusedByName() {
    assertInvalid(Map.of("directory", "/a", "dir", "/b"), "unknown settings [dir]");
  }

  @Test
  void secretsAreRefused() {
    CloudAccountConfig config =
        new CloudAccountConfig("a", null, null, Map.of("directory", "/a"), Map.of("password", "hunter2"));
    assertThatThrownBy(() -> LocalSettings.parse(config))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("password")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void missingOrRelativeDirectoryIsRefused() {
    assertInvalid(Map.of(), "'directory' is required");
    assertInvalid(Map.of("directory", "  "), "'directory' is required");
    assertInvalid(Map.of("directory", "relative/path"), "must be an absolute path");
  }

  @Test
  void badValuesAreRefused() {
    assertInvalid(Map.of("directory", "/a", "format", "floppy"), "not a disk format: floppy");
    assertInvalid(Map.of("directory", "/a", "format", "vhdx"), "cannot write vhdx");
    assertInvalid(Map.of("directory", "/a", "layer", "AWS Layer"), "must be a layer id");
    assertInvalid(Map.of("directory", "/a", "maxVolumeBytes", "ten"), "not a number of bytes");
    assertInvalid(Map.of("directory", "/a", "maxVolumeBytes", "0"), "must be positive");
    assertInvalid(Map.of("directory", "/a", "agentJar", "agent.jar"), "must be an absolute path");
  }

  private static void assertInvalid(Map<String, String> settings, String message) {
    assertThatThrownBy(() -> LocalSettings.parse(config(settings)))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessageContaining(message);
  }

  private static CloudAccountConfig config(Map<String, String> settings) {
    return new CloudAccountConfig("account-1", null, null, settings, Map.of());
  }
}
