package io.ferry.standardization.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.bundle.BundleManifest.PartitionScheme;
import io.ferry.standardization.bundle.internal.DiskLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Damaged partition tables are recorded as problems naming the structure; parsing never hangs. */
class DiskLayoutTest {

  private static final int SIZE = 4 << 20;

  @Test
  void anExtendedBootRecordChainThatLoopsIsCutWithAProblem() throws Exception {
    byte[] disk = new byte[SIZE];
    ByteBuffer bytes = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
    entry(bytes, 446, 0x05, 2048, 4096); // extended partition at sector 2048
    bytes.putShort(510, (short) 0xAA55);
    int ebr = 2048 * 512;
    entry(bytes, ebr + 446, 0x83, 64, 128); // logical partition 5
    entry(bytes, ebr + 446 + 16, 0x05, 512, 4096); // next EBR at extended start + 512
    int second = (2048 + 512) * 512;
    entry(bytes, second + 446, 0x83, 64, 128); // logical partition 6
    entry(bytes, second + 446 + 16, 0x05, 512, 4096); // next EBR: itself, a loop
    bytes.putShort(ebr + 510, (short) 0xAA55);
    bytes.putShort(second + 510, (short) 0xAA55);
    DiskLayout.Result layout = DiskLayout.probe(MemoryDisk.of(disk));

    assertThat(layout.table().scheme()).isEqualTo(PartitionScheme.MBR);
    assertThat(layout.table().partitions()).extracting(BundleManifest.Partition::number).containsExactly(1, 5, 6);
    assertThat(layout.table().problems())
        .containsExactly("extended boot record chain at sector " + (2048 + 512) + " loops or leaves the disk");
  }

  @Test
  void aGptWithABadChecksumAndAnEntryPastTheDiskIsReportedNotTrusted() throws Exception {
    byte[] disk = new byte[SIZE];
    ByteBuffer bytes = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
    entry(bytes, 446, 0xEE, 1, SIZE / 512 - 1);
    bytes.putShort(510, (short) 0xAA55);
    bytes.position(512);
    bytes.put("EFI PART".getBytes(StandardCharsets.US_ASCII));
    bytes.putInt(512 + 12, 92);
    bytes.putInt(512 + 16, 0x12345678); // wrong CRC
    bytes.putLong(512 + 72, 2);
    bytes.putInt(512 + 80, 128);
    bytes.putInt(512 + 84, 128);
    int entry = 1024;
    bytes.put(entry, (byte) 0xAF); // some type GUID
    bytes.putLong(entry + 32, 2048);
    bytes.putLong(entry + 40, 1L << 40); // far past the end of the disk

    DiskLayout.Result layout = DiskLayout.probe(MemoryDisk.of(disk));

    assertThat(layout.table().scheme()).isEqualTo(PartitionScheme.GPT);
    assertThat(layout.table().partitions()).isEmpty();
    assertThat(layout.table().problems())
        .anyMatch(problem -> problem.contains("GPT header at offset 512: CRC32 mismatch"))
        .anyMatch(problem -> problem.contains("GPT entry 1"));
  }

  @Test
  void anEmptyDiskHasNoTable() throws Exception {
    DiskLayout.Result layout = DiskLayout.probe(new MemoryDisk(SIZE));
    assertThat(layout.table().scheme()).isEqualTo(PartitionScheme.NONE);
    assertThat(layout.table().fileSystem()).isNull();
  }

  private static void entry(ByteBuffer bytes, int offset, int type, long first, long sectors) {
    bytes.put(offset + 4, (byte) type);
    bytes.putInt(offset + 8, (int) first);
    bytes.putInt(offset + 12, (int) sectors);
  }
}
