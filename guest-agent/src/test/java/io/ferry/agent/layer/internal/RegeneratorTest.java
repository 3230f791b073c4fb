package io.ferry.agent.layer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegeneratorTest {

  @Test
  void initramfsAndGrubConfigurationAskForTheirRegeneration() {
    assertThat(Regenerator.needed(List.of("/etc/initramfs-tools/modules"))).containsExactly(Regenerator.Kind.INITRAMFS);
    assertThat(Regenerator.needed(List.of("/etc/dracut.conf.d/ferry-vsphere.conf", "/etc/default/grub")))
        .containsExactly(Regenerator.Kind.INITRAMFS, Regenerator.Kind.BOOT_LOADER);
    assertThat(Regenerator.needed(List.of("/etc/default/grub.d/99-ferry-kvm.cfg"))).containsExactly(Regenerator.Kind.BOOT_LOADER);
    assertThat(Regenerator.needed(List.of("/boot/loader/entries/x.conf", "/etc/kernel/cmdline", "/etc/fstab",
        "/etc/dracut.conf.d.bak"))).as("BLS entries and kernel-install's cmdline take effect without a rebuild").isEmpty();
  }
}
