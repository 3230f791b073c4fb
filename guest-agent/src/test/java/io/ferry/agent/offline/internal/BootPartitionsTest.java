package io.ferry.agent.offline.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.agent.offline.Partition;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootPartitionsTest {

  private static final Partition ESP = new Partition(1, 1 << 20, 200 << 20, Partition.GPT_EFI_SYSTEM, "vfat",
      "7B77-95E7", "EFI System", "68b2905b-df3e-4fb3-80fa-49d1e773aa33", "EFI System Partition");
  private static final Partition BOOT = new Partition(2, 201 << 20, 1 << 30, Partition.GPT_LINUX_DATA, "xfs",
      "c8b0f2d4-9f7e-4a43-a7a3-4b0c5e1f2a3d", "boot", "bf3c2e1d-7a6b-4c5d-8e9f-0a1b2c3d4e5f", "boot");
  private static final Partition ROOT = new Partition(3, 2L << 30, 8L << 30, Partition.GPT_LINUX_DATA, "xfs",
      "0b6c8f2e-3d4a-4e5f-8a9b-1c2d3e4f5a6b", "root", "a1b2c3d4-0000-4000-8000-000000000003", "root");
  private static final List<Partition> DISK = List.of(ESP, BOOT, ROOT);

  @Test
  void everyFstabSourceFormNamesItsPartition() {
    assertThat(BootPartitions.match("UUID=C8B0F2D4-9F7E-4A43-A7A3-4B0C5E1F2A3D", DISK)).contains(BOOT);
    assertThat(BootPartitions.match("UUID=7b77-95e7", DISK)).contains(ESP);
    assertThat(BootPartitions.match("\"UUID=7B77-95E7\"", DISK)).contains(ESP);
    assertThat(BootPartitions.match("LABEL=boot", DISK)).contains(BOOT);
    assertThat(BootPartitions.match("LABEL=EFI\\040System", DISK)).contains(ESP);
    assertThat(BootPartitions.match("PARTUUID=BF3C2E1D-7A6B-4C5D-8E9F-0A1B2C3D4E5F", DISK)).contains(BOOT);
    assertThat(BootPartitions.match("PARTLABEL=EFI\\040System\\040Partition", DISK)).contains(ESP);
    assertThat(BootPartitions.match("/dev/disk/by-uuid/c8b0f2d4-9f7e-4a43-a7a3-4b0c5e1f2a3d", DISK)).contains(BOOT);
    assertThat(BootPartitions.match("/dev/disk/by-label/EFI\\x20System", DISK)).contains(ESP);
    assertThat(BootPartitions.match("/dev/disk/by-partuuid/68b2905b-df3e-4fb3-80fa-49d1e773aa33", DISK)).contains(ESP);
    assertThat(BootPartitions.match("/dev/disk/by-partlabel/boot", DISK)).contains(BOOT);
  }

  @Test
  void deviceNamesAndOtherDisksAreNotTrusted() {
    assertThat(BootPartitions.match("/dev/vda2", DISK)).isEmpty();
    assertThat(BootPartitions.match("UUID=ffffffff-0000-4000-8000-000000000000", DISK)).isEmpty();
    assertThat(BootPartitions.match("LABEL=BOOT", DISK)).as("labels are case-sensitive").isEmpty();
  }

  @Test
  void findsBootThenEfiAndSkipsCommentsSwapAndOtherMounts() {
    String fstab = """
        # /etc/fstab (RHEL 9 cloud image)
        UUID=0b6c8f2e-3d4a-4e5f-8a9b-1c2d3e4f5a6b /                       xfs     defaults        0 0
        #UUID=7B77-95E7 /boot/efi vfat defaults 0 2
        UUID=7B77-95E7          /boot/efi/              vfat    umask=0077,shortname=winnt 0 2
        /dev/vda4 none swap defaults 0 0
        /dev/vdb1 /data ext4 defaults 0 0
        LABEL=boot /boot xfs defaults 0 0
        """;
    List<BootPartitions.Entry> entries = BootPartitions.find(fstab, DISK);
    assertThat(entries).extracting(BootPartitions.Entry::mountPoint).containsExactly("/boot", "/boot/efi");
    assertThat(entries.get(0).partition()).contains(BOOT);
    assertThat(entries.get(1).partition()).contains(ESP);
    assertThat(entries.get(1).spec()).isEqualTo("UUID=7B77-95E7");
  }
}
