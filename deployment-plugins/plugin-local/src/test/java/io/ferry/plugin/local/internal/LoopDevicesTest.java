package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoopDevicesTest {

  private static final List<String> MOUNT_INFO =
      List.of(
          "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw",
          "42 22 7:3 / /mnt/helper\\040root rw,relatime shared:30 - ext4 /dev/loop3p3 rw",
          "43 42 7:3 / /mnt/helper\\040root/boot/efi rw,relatime shared:31 - vfat /dev/loop3p2 rw",
          "44 22 7:30 / /mnt/other rw,relatime shared:32 - ext4 /dev/loop30 rw",
          "45 22 7:3 / /mnt/whole rw,relatime - ext4 /dev/loop3 rw");

  @Test
  void mountsOfTheDeviceAndItsPartitionsInnermostFirst() {
    assertThat(LoopDevices.mountPointsOf("/dev/loop3", MOUNT_INFO))
        .containsExactly("/mnt/whole", "/mnt/helper root/boot/efi", "/mnt/helper root");
  }

  @Test
  void otherDevicesAreLeftAlone() {
    assertThat(LoopDevices.mountPointsOf("/dev/loop30", MOUNT_INFO)).containsExactly("/mnt/other");
    assertThat(LoopDevices.mountPointsOf("/dev/loop7", MOUNT_INFO)).isEmpty();
  }

  @Test
  void malformedLinesAreSkipped() {
    assertThat(LoopDevices.mountPointsOf("/dev/loop3", List.of("", "garbage", "1 2 3 4 /x - ext4"))).isEmpty();
  }

  @Test
  void octalEscapesAreDecoded() {
    assertThat(LoopDevices.unescape("/a\\040b\\011c\\134d")).isEqualTo("/a b\tc\\d");
    assertThat(LoopDevices.unescape("/trailing\\04")).isEqualTo("/trailing\\04");
  }
}
