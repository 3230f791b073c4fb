package io.ferry.standardization.image.ova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.WriteOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed OVAs: bad XML, entities, missing or foreign disks, truncation. */
class OvaBadInputIT {

  @TempDir Path directory;

  @Test
  void malformedDescriptor() throws Exception {
    Path ova = tar("<Envelope><References>", null);
    fails(ova, ErrorCode.IMAGE_CORRUPT, "is not a well-formed OVF descriptor");
  }

  @Test
  void externalEntitiesAreNeverResolved() throws Exception {
    Path ova =
        tar(
            "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Envelope>&x;</Envelope>",
            null);
    fails(ova, ErrorCode.IMAGE_CORRUPT, "DOCTYPE");
  }

  @Test
  void descriptorNamingAMissingDisk() throws Exception {
    Path ova = tar(descriptor("disk.vmdk"), null);
    fails(ova, ErrorCode.IMAGE_CORRUPT, "holds no entry 'disk.vmdk'");
  }

  /** Found by the fuzzer: a File without href (here split into chunks) was a NullPointerException. */
  @Test
  void fileWithoutHref() throws Exception {
    Path ova = tar(descriptor("disk.vmdk").replace("ovf:href=\"disk.vmdk\"", "ovf:chunkSize=\"2048\""), new byte[4096]);
    fails(ova, ErrorCode.IMAGE_CORRUPT, "file f1 of disk d1 has no href");
  }

  @Test
  void diskThatIsNoVmdk() throws Exception {
    Path ova = tar(descriptor("disk.vmdk"), new byte[4096]);
    fails(ova, ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
        "is neither a VMDK sparse extent (streamOptimized or monolithicSparse), a qcow2 image nor a raw disk of the"
            + " 1048576 bytes the OVF declares (it has 4096 bytes)");
  }

  @Test
  void truncatedInsideTheDisk() throws Exception {
    Path ova = directory.resolve("good.ova");
    byte[] data = new byte[3 << 20];
    new Random(9).nextBytes(data);
    try (DiskImageWriter writer = new OvaFormatHandler().create(ova, data.length, WriteOptions.DEFAULTS)) {
      writer.write(0, ByteBuffer.wrap(data));
      writer.finish();
    }
    try (FileChannel channel = FileChannel.open(ova, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }
    fails(ova, ErrorCode.IMAGE_CORRUPT, "past the end of the file");
  }

  private void fails(Path ova, ErrorCode code, String message) {
    assertThatThrownBy(
            () -> {
              try (DiskImageReader reader = new OvaFormatHandler().open(ova)) {
                reader.read(0, ByteBuffer.allocate((int) Math.min(reader.virtualSize(), 1 << 20)));
              }
            })
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static String descriptor(String disk) {
    return "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\""
        + " xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">"
        + "<References><File ovf:href=\"" + disk + "\" ovf:id=\"f1\"/></References>"
        + "<DiskSection><Info>d</Info><Disk ovf:diskId=\"d1\" ovf:fileRef=\"f1\" ovf:capacity=\"1048576\"/>"
        + "</DiskSection></Envelope>";
  }

  private Path tar(String ovf, byte[] disk) throws Exception {
    Path work = Files.createDirectories(directory.resolve("work"));
    Files.writeString(work.resolve("vm.ovf"), ovf);
    if (disk != null) {
      Files.write(work.resolve("disk.vmdk"), disk);
    }
    Path ova = directory.resolve("vm.ova");
    if (disk != null) {
      OvaIT.run(work, "tar", "-cf", ova.toString(), "vm.ovf", "disk.vmdk");
    } else {
      OvaIT.run(work, "tar", "-cf", ova.toString(), "vm.ovf");
    }
    return ova;
  }
}
