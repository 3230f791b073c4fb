package io.ferry.agent.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.layer.CloudLayer;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every ordered pair of clouds in the catalogue, on a Debian and a Rocky tree built from real
 * packages: the source-layered tree is stripped and the target injected; then detect finds only the
 * target's layer, and a before/after comparison shows nothing changed outside the declared paths of
 * the two layers and the generalization, and every change is in the reports.
 */
class LayerPairsIT {

  private static final CloudLayerCatalogue CATALOGUE = CloudLayerCatalogue.builtIn();

  /** What strip's generalization and any layer may touch, besides the layers' own files. */
  private static final List<String> GENERAL =
      List.of(
          "/etc/systemd/system/**",
          "/etc/cloud/cloud.cfg",
          "/etc/cloud/cloud.cfg.d/*",
          "/etc/initramfs-tools/modules",
          "/etc/dracut.conf.d/ferry-*.conf",
          "/etc/default/grub",
          "/etc/default/grub.d",
          "/etc/default/grub.d/*",
          "/boot/loader/entries/*",
          "/etc/machine-id",
          "/var/lib/dbus/machine-id",
          "/etc/ssh/ssh_host_*",
          "/root/.ssh/authorized_keys",
          "/home/*/.ssh/authorized_keys",
          "/var/lib/dhcp/*",
          "/var/lib/NetworkManager/*.lease",
          "/var/lib/cloud/**",
          "/var/log/cloud-init*.log",
          "/etc/udev/rules.d/70-persistent-net.rules",
          "/etc/netplan/*",
          "/etc/network/interfaces.d/*",
          "/etc/systemd/network/*",
          "/etc/sysconfig/network-scripts/ifcfg-*",
          "/etc/NetworkManager/system-connections/*",
          "/etc/fstab",
          "/var/lib/ferry",
          "/var/lib/ferry/**");

  @TempDir Path temporary;

  static Stream<Arguments> pairs() {
    List<Arguments> pairs = new ArrayList<>();
    for (String os : List.of("debian", "rhel")) {
      for (String source : CATALOGUE.ids()) {
        for (String target : CATALOGUE.ids()) {
          if (!source.equals(target)) {
            pairs.add(Arguments.of(os, source, target));
          }
        }
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("pairs")
  void stripSourceInjectTargetLeavesOnlyTheTargetLayer(String os, String source, String target) throws Exception {
    LayerAgent agent = new LayerAgent(CATALOGUE, Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));
    Path root = OsTrees.copy(os, source, temporary);
    agent.inject(root, source, AgentOptions.DEFAULTS);
    assertThat(agent.detect(root, false).presentLayers()).as("source-layered tree").containsExactly(source);
    Map<String, String> before = OsTrees.snapshot(root);

    AgentOptions options = new AgentOptions(false, false, Map.of(), Map.of(1, "11111111-2222-3333-4444-555555555555", 15, "ABCD-1234", 2, "66666666-7777-8888-9999-000000000000"));
    ChangeReport strip = agent.strip(root, source, options);
    ChangeReport inject = agent.inject(root, target, options);

    SystemDescription after = agent.detect(root, false);
    assertThat(after.presentLayers()).as("layers after %s -> %s", source, target).containsExactly(target);
    assertThat(after.cloudInit().datasourceList())
        .containsExactlyElementsOf(CATALOGUE.get(target).inject().datasources());

    Set<String> changed = OsTrees.changed(before, OsTrees.snapshot(root));
    List<PathMatcher> allowed = allowed(CATALOGUE.get(source), CATALOGUE.get(target));
    for (String path : changed) {
      assertThat(allowed.stream().anyMatch(m -> m.matches(Path.of(path))))
          .as("%s changed outside the declared paths of %s, %s and the generalization", path, source, target)
          .isTrue();
    }
    Set<String> reported = new HashSet<>();
    strip.changes().forEach(c -> reported.add(c.path()));
    inject.changes().forEach(c -> reported.add(c.path()));
    for (String path : changed) {
      if (!path.startsWith("/var/lib/ferry")) {
        assertThat(reported).as("change of %s is in the reports", path).contains(path);
      }
    }
    assertThat(strip.secretsDeleted()).isPositive();
    assertThat(changed).contains("/etc/machine-id", "/etc/fstab");
  }

  private static List<PathMatcher> allowed(CloudLayer source, CloudLayer target) {
    List<String> patterns = new ArrayList<>(GENERAL);
    for (CloudLayer layer : List.of(source, target)) {
      patterns.addAll(layer.strip().files());
      patterns.addAll(layer.strip().secretFiles());
      patterns.add(layer.injectedCloudInitFile());
      patterns.add(layer.injectedDracutFile());
      patterns.add(layer.injectedGrubDropIn());
    }
    List<PathMatcher> matchers = new ArrayList<>();
    for (String pattern : patterns) {
      matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
    }
    return matchers;
  }
}
