package io.ferry.standardization.image.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.WriteOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged GCP archives fail cleanly and leave no extracted temporary file behind. */
class GcpArchiveBadInputIT {

  @TempDir Path directory;
  private Path archive;

  @BeforeEach
  void writeValidArchive() throws Exception {
    archive = directory.resolve("image.tar.gz");
    byte[] data = new byte[3 << 20];
    new Random(10).nextBytes(data);
    try (DiskImageWriter writer =
        new GcpArchiveFormatHandler().create(archive, 4 << 20, WriteOptions.DEFAULTS)) {
      writer.write(0, ByteBuffer.wrap(data));
      writer.finish();
    }
  }

  @Test
  void truncatedArchive() throws Exception {
    try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }
    fails(ErrorCode.IMAGE_CORRUPT, "disk.raw");
  }

  @Test
  void damagedCompressedData() throws Exception {
    try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.WRITE)) {
      byte[] garbage = new byte[4096];
      new Random(11).nextBytes(garbage);
      channel.write(ByteBuffer.wrap(garbage), channel.size() / 3);
    }
    fails(ErrorCode.IMAGE_CORRUPT, "gzip");
  }

  @Test
  void archiveWithoutDiskRaw() throws Exception {
    Path work = Files.createDirectories(directory.resolve("work"));
    Files.writeString(work.resolve("other.raw"), "data");
    GcpArchiveIT.run(work, "tar", "-czf", archive.toString(), "other.raw");
    fails(ErrorCode.IMAGE_CORRUPT, "the tar holds no disk.raw");
  }

  @Test
  void notGzipAtAll() throws Exception {
    Files.write(archive, new byte[1024]);
    fails(ErrorCode.IMAGE_CORRUPT, "no gzip header at offset 0");
  }

  private void fails(ErrorCode code, String message) throws Exception {
    assertThatThrownBy(() -> new GcpArchiveFormatHandler().open(archive).close())
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.endsWith(".ferry-extract"));
    }
  }
}
