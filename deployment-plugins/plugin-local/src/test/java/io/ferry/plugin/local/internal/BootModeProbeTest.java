package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.spi.BootMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BootModeProbeTest {

  private static final String LINUX_FILESYSTEM = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

  @Test
  void guidBytesAreMixedEndianAsGptStoresThem() {
    assertThat(new String(BootModeProbe.guidBytes(BootModeProbe.BIOS_BOOT), StandardCharsets.US_ASCII))
        .isEqualTo("Hah!IdontNeedEFI");
  }

  @Test
  void gptWithEfiSystemPartitionBootsUefi() throws Exception {
    assertThat(BootModeProbe.probe(gpt(512, BootModeProbe.EFI_SYSTEM, LINUX_FILESYSTEM))).isEqualTo(BootMode.UEFI);
  }

  @Test
  void gptWithBiosBootPartitionBootsBios() throws Exception {
    assertThat(BootModeProbe.probe(gpt(512, BootModeProbe.BIOS_BOOT, LINUX_FILESYSTEM))).isEqualTo(BootMode.BIOS);
  }

  @Test
  void gptWithBothIsHybrid() throws Exception {
    assertThat(BootModeProbe.probe(gpt(512, BootModeProbe.BIOS_BOOT, BootModeProbe.EFI_SYSTEM, LINUX_FILESYSTEM)))
        .isEqualTo(BootMode.HYBRID);
  }

  @Test
  void gptWithFourKibSectorsIsRead() throws Exception {
    assertThat(BootModeProbe.probe(gpt(4096, BootModeProbe.EFI_SYSTEM))).isEqualTo(BootMode.UEFI);
  }

  @Test
  void gptWithNeitherIsUnknown() throws Exception {
    assertThat(BootModeProbe.probe(gpt(512, LINUX_FILESYSTEM))).isEqualTo(BootMode.UNKNOWN);
  }

  @Test
  void malformedGptHeaderIsUnknownNotAnError() throws Exception {
    MemoryDisk disk = gpt(512, BootModeProbe.EFI_SYSTEM);
    ByteBuffer.wrap(disk.bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(512 + 84, 7);
    assertThat(BootModeProbe.probe(disk)).isEqualTo(BootMode.UNKNOWN);
    ByteBuffer.wrap(disk.bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(512 + 84, 128).putLong(512 + 72, 1L << 40);
    assertThat(BootModeProbe.probe(disk)).isEqualTo(BootMode.UNKNOWN);
  }

  @Test
  void mbrPartitionTypesTellTheBootMode() throws Exception {
    assertThat(BootModeProbe.probe(mbr(0x83))).isEqualTo(BootMode.BIOS);
    assertThat(BootModeProbe.probe(mbr(0xEF))).isEqualTo(BootMode.UEFI);
    assertThat(BootModeProbe.probe(mbr(0x00))).isEqualTo(BootMode.UNKNOWN);
  }

  @Test
  void blankAndTinyDisksAreUnknown() throws Exception {
    assertThat(BootModeProbe.probe(new MemoryDisk(1 << 20))).isEqualTo(BootMode.UNKNOWN);
    assertThat(BootModeProbe.probe(new MemoryDisk(100))).isEqualTo(BootMode.UNKNOWN);
  }

  private static MemoryDisk mbr(int type) {
    MemoryDisk disk = new MemoryDisk(1 << 20);
    disk.bytes[446 + 4] = (byte) type;
    disk.bytes[510] = 0x55;
    disk.bytes[511] = (byte) 0xAA;
    return disk;
  }

  /** A disk with a protective MBR and a GPT whose first entries have the given types. */
  private static MemoryDisk gpt(int sectorSize, String... types) {
    MemoryDisk disk = mbr(0xEE);
    ByteBuffer buffer = ByteBuffer.wrap(disk.bytes).order(ByteOrder.LITTLE_ENDIAN);
    buffer.position(sectorSize);
    buffer.put("EFI PART".getBytes(StandardCharsets.US_ASCII));
    buffer.putLong(sectorSize + 72, 2);
    buffer.putInt(sectorSize + 80, 128);
    buffer.putInt(sectorSize + 84, 128);
    for (int index = 0; index < types.length; index++) {
      buffer.position(2 * sectorSize + index * 128);
      buffer.put(BootModeProbe.guidBytes(types[index]));
    }
    return disk;
  }
}
