package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.spi.CloudAccountConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VsphereRestTest {

  private final VsphereSettings settings =
      VsphereSettings.parse(
          new CloudAccountConfig(
              "a", null, null,
              Map.of("url", "https://10.0.0.5:8443", "username", "u", "datacenter", "DC", "datastore", "DS"),
              Map.of("password", "p")));

  @Test
  void transferEndpointsAreUsedOnTheConfiguredHostOnly() {
    VsphereRest rest = new VsphereRest(settings, HttpClient.newHttpClient());
    assertThat(rest.onConfiguredHost(URI.create("https://vc.example.com:443/cls/data/abc/disk-1.vmdk?x=1%202")))
        .hasToString("https://10.0.0.5:8443/cls/data/abc/disk-1.vmdk?x=1%202");
    assertThat(rest.onConfiguredHost(URI.create("https://evil.example.org/cls/data/x")))
        .hasHost("10.0.0.5");
    assertThat(rest.onConfiguredHost(URI.create("https://*/cls/data/y"))).hasToString("https://10.0.0.5:8443/cls/data/y");
  }
}
