package io.ferry.standardization.image.ova;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.internal.PartialFile;
import io.ferry.standardization.image.vmdk.VmdkImages;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes an OVA: a tar of the OVF descriptor, the manifest (SHA-256 of the other files) and one
 * streamOptimized VMDK. A tar header needs the file's size before its data, so the VMDK is first
 * written to a temporary file next to the target ({@code <target>.disk.vmdk}); finish then streams
 * the tar: descriptor, manifest, disk, and deletes the temporary file.
 */
final class OvaWriter implements DiskImageWriter {

  private final Path target;
  private final Path temporaryDisk;
  private final DiskImageWriter disk;
  private final String baseName;
  private final Clock clock;
  private final OvfWriter.Hardware hardware;
  private boolean finished;

  OvaWriter(Path target, long virtualSize, WriteOptions options, Clock clock, OvfWriter.Hardware hardware)
      throws IOException {
    this.target = target.toAbsolutePath();
    String fileName = this.target.getFileName().toString();
    String base = fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".ova")
        ? fileName.substring(0, fileName.length() - 4)
        : fileName;
    this.baseName = base.replaceAll("[^A-Za-z0-9._-]", "_");
    this.temporaryDisk = this.target.resolveSibling(fileName + ".disk.vmdk");
    this.clock = clock;
    this.hardware = hardware;
    this.disk =
        VmdkImages.createStreamOptimized(temporaryDisk, virtualSize, options, diskName());
  }

  private String diskName() {
    return baseName + "-disk1.vmdk";
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.OVA;
  }

  @Override
  public long virtualSize() {
    return disk.virtualSize();
  }

  @Override
  public void write(long offset, ByteBuffer data) throws IOException {
    disk.write(offset, data);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    disk.finish();
    long diskSize = Files.size(temporaryDisk);
    String diskDigest = sha256(temporaryDisk);
    byte[] ovf =
        OvfWriter.envelope(baseName, diskName(), diskSize, disk.virtualSize(), hardware)
            .getBytes(StandardCharsets.UTF_8);
    String ovfName = baseName + ".ovf";
    Map<String, String> digests = new LinkedHashMap<>();
    digests.put(ovfName, HexFormat.of().formatHex(digest().digest(ovf)));
    digests.put(diskName(), diskDigest);
    StringBuilder manifest = new StringBuilder();
    digests.forEach((name, digest) -> manifest.append("SHA256(").append(name).append(")= ").append(digest).append('\n'));
    byte[] manifestBytes = manifest.toString().getBytes(StandardCharsets.US_ASCII);
    long now = clock.millis();
    try (PartialFile output = PartialFile.create(target)) {
      OutputStream stream = new BufferedOutputStream(Channels.newOutputStream(output.channel()), 1 << 16);
      TarArchiveOutputStream tar = new TarArchiveOutputStream(stream);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      putBytes(tar, ovfName, ovf, now);
      putBytes(tar, baseName + ".mf", manifestBytes, now);
      TarArchiveEntry entry = entry(diskName(), diskSize, now);
      tar.putArchiveEntry(entry);
      Files.copy(temporaryDisk, tar);
      tar.closeArchiveEntry();
      tar.finish();
      stream.flush();
      output.commit();
    }
    Files.deleteIfExists(temporaryDisk);
    finished = true;
  }

  private static TarArchiveEntry entry(String name, long size, long millis) {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(size);
    entry.setMode(0644);
    entry.setModTime(millis);
    return entry;
  }

  private static void putBytes(TarArchiveOutputStream tar, String name, byte[] bytes, long millis)
      throws IOException {
    tar.putArchiveEntry(entry(name, bytes.length, millis));
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new FerryException(ErrorCode.INTERNAL, "SHA-256 is not available", e);
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public void close() throws IOException {
    try {
      disk.close();
    } finally {
      Files.deleteIfExists(temporaryDisk);
    }
  }
}
