package io.ferry.standardization.image.ova;

import static io.ferry.standardization.image.vhd.DiskFixtures.checkedExtents;
import static io.ferry.standardization.image.vhd.DiskFixtures.content;
import static io.ferry.standardization.image.vhd.DiskFixtures.qemuImgOk;
import static io.ferry.standardization.image.vhd.DiskFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.ProgressListener;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.ImageProbe;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.raw.RawFormatHandler;
import io.ferry.standardization.image.vhd.DiskFixtures;
import io.ferry.standardization.image.vhd.DiskFixtures.Shape;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** OVA written by Ferry checked with tar and qemu-img; OVAs assembled with tar read by Ferry. */
class OvaIT {

  @TempDir Path directory;

  @ParameterizedTest
  @EnumSource(Shape.class)
  void writesAnOvaWhoseDiskQemuFindsIdenticalAndWhoseManifestMatches(Shape shape) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), shape, 41);
    Path ova = directory.resolve("appliance.ova");
    try (DiskImageReader reader = new RawFormatHandler().open(raw);
        DiskImageWriter writer =
            new OvaFormatHandler().create(ova, reader.virtualSize(), WriteOptions.DEFAULTS)) {
      DiskImages.convert(reader, writer, ProgressListener.NONE);
    }
    try (var files = Files.list(directory)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .containsExactlyInAnyOrder("source.raw", "appliance.ova");
    }
    assertThat(run(directory, "tar", "-tf", ova.toString()).lines())
        .containsExactly("appliance.ovf", "appliance.mf", "appliance-disk1.vmdk");
    Path extracted = Files.createDirectories(directory.resolve("extracted"));
    run(extracted, "tar", "-xf", ova.toString());
    Path vmdk = extracted.resolve("appliance-disk1.vmdk");
    qemuImgOk("check", "-f", "vmdk", vmdk.toString());
    qemuImgOk("compare", "-f", "raw", "-F", "vmdk", raw.toString(), vmdk.toString());
    for (String line : Files.readAllLines(extracted.resolve("appliance.mf"))) {
      String name = line.substring("SHA256(".length(), line.indexOf(")= "));
      String digest = line.substring(line.indexOf(")= ") + 3);
      assertThat(sha256(extracted.resolve(name))).as(name).isEqualTo(digest);
    }
    String ovf = Files.readString(extracted.resolve("appliance.ovf"));
    assertThat(ovf)
        .contains("ovf:capacity=\"" + shape.size() + "\"")
        .contains("ovf:size=\"" + Files.size(vmdk) + "\"")
        .contains("<rasd:ResourceType>17</rasd:ResourceType>")
        .contains("#streamOptimized");

    assertThat(matches(ova)).isTrue();
    try (DiskImageReader reader = new OvaFormatHandler().open(ova)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.OVA);
      assertThat(reader.virtualSize()).isEqualTo(shape.size());
      assertThat(readAll(reader)).isEqualTo(content(raw, shape.size()));
      checkedExtents(reader);
    }
  }

  @Test
  void readsTheBootDiskOfAnOvaAssembledWithGnuTar() throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 42);
    Path work = Files.createDirectories(directory.resolve("work"));
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized",
        raw.toString(), work.resolve("data.vmdk").toString());
    qemuImgOk("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized",
        raw.toString(), work.resolve("a-boot.vmdk").toString());
    qemuImgOk("create", "-f", "raw", work.resolve("boot.raw").toString(), "1M");
    // The boot disk (the one the hardware section attaches) is listed second in DiskSection.
    Files.writeString(
        work.resolve("vm.ovf"),
        """
        <?xml version="1.0"?>
        <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
            xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
            xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
          <References>
            <File ovf:href="data.vmdk" ovf:id="f1"/>
            <File ovf:href="a-boot.vmdk" ovf:id="f2"/>
          </References>
          <DiskSection><Info>disks</Info>
            <Disk ovf:diskId="data" ovf:fileRef="f1" ovf:capacity="5" ovf:capacityAllocationUnits="byte * 2^20"/>
            <Disk ovf:diskId="boot" ovf:fileRef="f2" ovf:capacity="5" ovf:capacityAllocationUnits="byte * 2^20"/>
          </DiskSection>
          <VirtualSystem ovf:id="vm"><Info>vm</Info>
            <VirtualHardwareSection><Info>hw</Info>
              <Item><rasd:HostResource>ovf:/disk/boot</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
              <Item><rasd:HostResource>ovf:/disk/data</rasd:HostResource><rasd:InstanceID>5</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
            </VirtualHardwareSection>
          </VirtualSystem>
        </Envelope>
        """);
    Path ova = directory.resolve("vm.ova");
    run(work, "tar", "-cf", ova.toString(), "vm.ovf", "data.vmdk", "a-boot.vmdk");
    assertThat(matches(ova)).isTrue();
    assertThat(DiskImages.detect(ova)).isEqualTo(DiskFormat.OVA);
    try (DiskImageReader reader = DiskImages.open(ova)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.OVA);
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
    }
  }

  /** oVirt exports OVAs whose disks are qcow2 (or raw) files: read in place, by their magic. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"qcow2", "qcow2-compressed", "raw"})
  void readsQcow2AndRawDisksOfAnOva(String kind) throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 44);
    Path work = Files.createDirectories(directory.resolve("work"));
    Path disk = work.resolve("disk-1");
    if (kind.equals("raw")) {
      Files.copy(raw, disk);
    } else {
      qemuImgOk("convert", "-f", "raw", "-O", "qcow2", kind.endsWith("compressed") ? "-c" : "-q",
          raw.toString(), disk.toString());
    }
    Files.writeString(work.resolve("vm.ovf"), ovfFor("disk-1", Shape.MIXED.size()));
    Files.writeString(work.resolve("after.txt"), "an entry after the disk");
    Path ova = directory.resolve("vm.ova");
    run(work, "tar", "-cf", ova.toString(), "vm.ovf", "disk-1", "after.txt");
    try (DiskImageReader reader = DiskImages.open(ova)) {
      assertThat(reader.format()).isEqualTo(DiskFormat.OVA);
      assertThat(reader.virtualSize()).isEqualTo(Shape.MIXED.size());
      assertThat(readAll(reader)).isEqualTo(content(raw, Shape.MIXED.size()));
      if (!kind.equals("raw")) {
        assertThat(checkedExtents(reader).stream().filter(extent -> !extent.type().holdsData())).isNotEmpty();
      }
    }
  }

  /** A qcow2 disk's table beyond the disk entry is corruption, though the tar goes on behind it. */
  @Test
  void aQcow2DiskIsReadWithinItsEntryOnly() throws Exception {
    Path raw = DiskFixtures.raw(directory.resolve("source.raw"), Shape.MIXED, 45);
    Path work = Files.createDirectories(directory.resolve("work"));
    Path disk = work.resolve("disk-1");
    qemuImgOk("convert", "-f", "raw", "-O", "qcow2", raw.toString(), disk.toString());
    long size = Files.size(disk);
    try (FileChannel channel = FileChannel.open(disk, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.allocate(8).putLong(0, size + 65536), 40); // the L1 table, past the entry
    }
    Files.write(work.resolve("after.bin"), new byte[1 << 20]);
    Files.writeString(work.resolve("vm.ovf"), ovfFor("disk-1", Shape.MIXED.size()));
    Path ova = directory.resolve("vm.ova");
    run(work, "tar", "-cf", ova.toString(), "vm.ovf", "disk-1", "after.bin");
    assertThatThrownBy(() -> DiskImages.open(ova).close())
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT))
        .hasMessageContaining("L1 table");
  }

  private static String ovfFor(String href, long capacity) {
    return "<?xml version=\"1.0\"?><Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\""
        + " xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">"
        + "<References><File ovf:href=\"" + href + "\" ovf:id=\"f1\"/></References>"
        + "<DiskSection><Info>disks</Info><Disk ovf:diskId=\"d1\" ovf:fileRef=\"f1\" ovf:capacity=\"" + capacity + "\"/>"
        + "</DiskSection></Envelope>";
  }

  @Test
  void refusesATarWhoseFirstEntryIsNotAnOvf() throws Exception {
    Path work = Files.createDirectories(directory.resolve("work"));
    Files.writeString(work.resolve("readme.txt"), "hello");
    Files.writeString(work.resolve("vm.ovf"), "<Envelope/>");
    Path ova = directory.resolve("bad.ova");
    run(work, "tar", "-cf", ova.toString(), "readme.txt", "vm.ovf");
    assertThat(matches(ova)).isFalse();
    assertThatThrownBy(() -> new OvaFormatHandler().open(ova))
        .isInstanceOfSatisfying(
            FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_CORRUPT))
        .hasMessageContaining("readme.txt");
  }

  private static boolean matches(Path path) throws Exception {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return new OvaFormatHandler().matches(new ImageProbe(path, channel));
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  static String run(Path workingDirectory, String... command) throws Exception {
    Process process =
        new ProcessBuilder(List.of(command)).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
