package io.ferry.agent.layer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextEditsTest {

  @Test
  void readsFlowAndBlockDatasourceLists() {
    String text = "# datasource_list: [ Ignored ]\ndatasource_list: [ Ec2, 'None' ]\nother: 1\ndatasource_list:\n  - Azure\n  - None\n";
    assertThat(TextEdits.datasourceLists(text)).extracting(TextEdits.DatasourceList::entries)
        .containsExactly(List.of("Ec2", "None"), List.of("Azure", "None"));
  }

  @Test
  void removesOnlyTheSourceDatasourceAndDropsListsLeftWithNone() {
    assertThat(TextEdits.removeDatasources("a: 1\ndatasource_list: [ NoCloud, Ec2, GCE, None ]\n", Set.of("Ec2")))
        .isEqualTo("a: 1\ndatasource_list: [ NoCloud, GCE, None ]\n");
    assertThat(TextEdits.removeDatasources("# dpkg\ndatasource_list:\n  - Ec2\n  - None\nb: 2\n", Set.of("Ec2")))
        .isEqualTo("# dpkg\nb: 2\n");
    String untouched = "datasource_list: [ Azure ]\n";
    assertThat(TextEdits.removeDatasources(untouched, Set.of("Ec2"))).isEqualTo(untouched);
  }

  @Test
  void unpinsNetplanMacAddresses() {
    String netplan = "network:\n  ethernets:\n    ens5:\n      dhcp4: true\n      match:\n        macaddress: 0a:1b\n      set-name: ens5\n  version: 2\n";
    assertThat(TextEdits.netplanUnpinMac(netplan))
        .isEqualTo("network:\n  ethernets:\n    ens5:\n      dhcp4: true\n      match:\n        name: \"e*\"\n  version: 2\n");
  }

  @Test
  void unpinsSystemdNetworkdMatches() {
    assertThat(TextEdits.networkdUnpinMac("[Match]\nMACAddress=0a:1b\n\n[Link]\nMACAddress=0a:1b\n\n[Network]\nDHCP=yes\n"))
        .isEqualTo("[Match]\nName=e*\n\n[Link]\nMACAddress=0a:1b\n\n[Network]\nDHCP=yes\n");
  }

  @Test
  void removesHardwareAddressKeys() {
    assertThat(TextEdits.removeKeys("DEVICE=eth0\nHWADDR=0a:1b\nONBOOT=yes\n", Set.of("HWADDR")))
        .isEqualTo("DEVICE=eth0\nONBOOT=yes\n");
    assertThat(TextEdits.removeKeys("[ethernet]\nmac-address=0A:1B\n", Set.of("mac-address"))).isEqualTo("[ethernet]\n");
  }

  @Test
  void rewritesFstabDevicesToUuidsWithNofailExceptRoot() {
    Map<String, String> uuids = Map.of("/dev/nvme0n1p1", "1111", "/dev/nvme0n1p15", "AB-CD");
    TextEdits.FstabEdit edit = TextEdits.fstabToUuid(
        "/dev/nvme0n1p1 / ext4 defaults 0 1\n/dev/nvme0n1p15 /boot/efi vfat umask=0077 0 1\n"
            + "/dev/xvdb /mnt auto defaults,nofail,comment=cloudconfig 0 2\n/dev/sdc1 /data xfs defaults 0 0\nUUID=x /y ext4 defaults 0 0\n",
        device -> Optional.ofNullable(uuids.get(device)));
    assertThat(edit.text()).isEqualTo(
        "UUID=1111\t/\text4\tdefaults\t0\t1\nUUID=AB-CD\t/boot/efi\tvfat\tumask=0077,nofail\t0\t1\n"
            + "/dev/sdc1 /data xfs defaults 0 0\nUUID=x /y ext4 defaults 0 0\n");
    assertThat(edit.warnings()).singleElement().asString().contains("/dev/sdc1");
  }

  @Test
  void mapsDevicePathsToPartitionNumbers() {
    assertThat(TextEdits.partitionNumber("/dev/xvda1")).contains(1);
    assertThat(TextEdits.partitionNumber("/dev/nvme0n1p15")).contains(15);
    assertThat(TextEdits.partitionNumber("/dev/nvme0n1")).contains(0);
    assertThat(TextEdits.partitionNumber("/dev/sdb")).contains(0);
    assertThat(TextEdits.partitionNumber("/dev/disk/by-path/pci-0000:00:04.0-scsi-0:0:1:0-part2")).contains(2);
    assertThat(TextEdits.partitionNumber("/dev/mapper/root")).isEmpty();
  }

  @Test
  void editsKernelCommandLinesIdempotently() {
    List<String> aws = List.of("console=tty1", "console=ttyS0,115200n8", "nvme_core.io_timeout=4294967295");
    String once = TextEdits.editGrubDefaults("GRUB_CMDLINE_LINUX=\"quiet rootdelay=10\"\n", List.of(), List.of("rootdelay=300", "console=ttyS0"));
    assertThat(once).isEqualTo("GRUB_CMDLINE_LINUX=\"quiet rootdelay=300 console=ttyS0\"\n");
    assertThat(TextEdits.editGrubDefaults(once, List.of(), List.of("rootdelay=300", "console=ttyS0"))).isEqualTo(once);
    assertThat(TextEdits.editGrubDefaults("GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 quiet\"\n", aws, List.of()))
        .isEqualTo("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
    assertThat(TextEdits.editGrubDefaults("GRUB_TIMEOUT=1\n", List.of(), List.of("console=ttyS0")))
        .isEqualTo("GRUB_TIMEOUT=1\nGRUB_CMDLINE_LINUX=\"console=ttyS0\"\n");
    assertThat(TextEdits.editBootLoaderEntry("title x\noptions root=UUID=1 ro console=tty1\n", aws, List.of("console=ttyS0,38400n8")))
        .isEqualTo("title x\noptions root=UUID=1 ro console=ttyS0,38400n8\n");
  }

  @Test
  void managesFerrysInitramfsModuleBlock() {
    String original = "# List of modules\nloop\n";
    String added = TextEdits.setModuleBlock(original, "aws", List.of("nvme", "ena"));
    assertThat(added).isEqualTo(original + TextEdits.moduleBlockBegin("aws") + "\nnvme\nena\n# END ferry aws\n");
    assertThat(TextEdits.setModuleBlock(added, "aws", List.of("nvme", "ena"))).isEqualTo(added);
    assertThat(TextEdits.removeModuleBlock(added, "aws")).isEqualTo(original);
  }
}
