package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItemMarkerTest {

  @Test
  void factsRoundTripBesideTheText() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(ItemMarker.JOB_ID, "job-1");
    facts.put(ItemMarker.NAME, "debian=12");
    facts.put(ItemMarker.OS, "Debian\nGNU/Linux");
    facts.put(ItemMarker.CLOUD_LAYER, null);
    String description = ItemMarker.write("Made by\nFerry", facts);
    assertThat(description).isEqualTo("Made by\nFerry\n\nferry:job-id=job-1\nferry:name=debian=12\nferry:os=Debian GNU/Linux\n");
    assertThat(ItemMarker.read(description))
        .containsExactly(Map.entry("job-id", "job-1"), Map.entry("name", "debian=12"), Map.entry("os", "Debian GNU/Linux"));
    assertThat(ItemMarker.text(description)).isEqualTo("Made by\nFerry");
  }

  @Test
  void foreignDescriptionsHaveNoFacts() {
    assertThat(ItemMarker.read(null)).isEmpty();
    assertThat(ItemMarker.read("A template someone made\nferry: not a fact")).isEmpty();
    assertThat(ItemMarker.text(null)).isNull();
    assertThat(ItemMarker.write(null, Map.of(ItemMarker.JOB_ID, "j"))).isEqualTo("ferry:job-id=j\n");
    assertThat(ItemMarker.read(ItemMarker.write(null, Map.of("tag.a=b c", "v=w")))).containsExactly(Map.entry("tag.a_b_c", "v=w"));
  }
}
