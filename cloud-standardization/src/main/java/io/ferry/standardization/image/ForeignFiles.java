package io.ferry.standardization.image;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Files that no handler reads but that are plainly not raw disks either: disk image formats Ferry
 * does not read (VirtualBox VDI, QEMU QED, Parallels, Apple DMG, Bochs, cloop, ESX 2 COWD), LUKS
 * encrypted volumes, and compressed files or archives (a gzip'd raw disk, a {@code .img.xz}, a tar or zip that is not an
 * OVA or a GCP image archive). Detection falls back to raw only when none of these matches, so
 * such a file is refused with its name instead of being copied byte for byte as if it were a disk.
 * Reading it as raw stays possible by naming the format (the commands' {@code -f raw}).
 */
final class ForeignFiles {

  /** A kind of file, recognised by its magic, and what to do with it. */
  private record Kind(String name, String advice, Magic magic) {}

  @FunctionalInterface
  private interface Magic {
    boolean in(ImageProbe probe) throws IOException;
  }

  private static final String CONVERT = "convert it to qcow2 or raw first (qemu-img convert -O qcow2)";

  private static final List<Kind> KINDS =
      List.of(
          new Kind("a VirtualBox VDI image", CONVERT, probe -> intLe(probe.header(), 64) == 0xbeda107f),
          new Kind("a QEMU QED image", CONVERT, probe -> startsWith(probe.header(), 0, "QED\0")),
          new Kind("a Parallels image", CONVERT,
              probe -> startsWith(probe.header(), 0, "WithoutFreeSpace")
                  || startsWith(probe.header(), 0, "WithouFreSpacExt")),
          new Kind("a Bochs image", CONVERT, probe -> startsWith(probe.header(), 0, "Bochs Virtual HD Image")),
          new Kind("a cloop image", CONVERT, probe -> startsWith(probe.header(), 0, "#!/bin/sh\n#V2.0 Format\n")),
          new Kind("an ESX 2 sparse VMDK (COWD)", CONVERT, probe -> startsWith(probe.header(), 0, "COWD")),
          new Kind("a LUKS-encrypted volume",
              "an encrypted disk can be neither stripped nor converted: decrypt it first (qemu-img convert"
                  + " --object secret,id=key,file=KEYFILE --image-opts driver=luks,key-secret=key,file.filename=FILE"
                  + " -O raw OUT)",
              probe -> bytes(probe.header(), 0, 'L', 'U', 'K', 'S', 0xba, 0xbe)),
          new Kind("an Apple disk image (DMG)", CONVERT,
              probe -> probe.size() >= 512 && startsWith(probe.tail(512), 0, "koly")),
          new Kind("a gzip-compressed file", "decompress it first (gunzip)",
              probe -> bytes(probe.header(), 0, 0x1f, 0x8b, 0x08)),
          new Kind("an xz-compressed file", "decompress it first (unxz)",
              probe -> bytes(probe.header(), 0, 0xfd, '7', 'z', 'X', 'Z', 0x00)),
          new Kind("a zstd-compressed file", "decompress it first (unzstd)",
              probe -> bytes(probe.header(), 0, 0x28, 0xb5, 0x2f, 0xfd)),
          new Kind("a bzip2-compressed file", "decompress it first (bunzip2)",
              probe -> bytes(probe.header(), 0, 'B', 'Z', 'h') && bytes(probe.header(), 4, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59)),
          new Kind("a zip archive", "extract the disk image from it first",
              probe -> bytes(probe.header(), 0, 'P', 'K', 0x03, 0x04)),
          new Kind("a tar archive that is neither an OVA (an .ovf first) nor a GCP image archive (disk.raw)",
              "extract the disk image from it first",
              probe -> startsWith(probe.header(), 257, "ustar")));

  private ForeignFiles() {}

  /**
   * The error for a file no handler matched when it is one of the known kinds above; null when it
   * may be a raw disk.
   */
  static FerryException refusal(ImageProbe probe) throws IOException {
    for (Kind kind : KINDS) {
      if (kind.magic().in(probe)) {
        return new FerryException(
            ErrorCode.IMAGE_FORMAT_UNKNOWN,
            probe.path().getFileName() + " is " + kind.name() + ", not a disk image format Ferry reads: "
                + kind.advice() + ", or name the format raw explicitly to copy its bytes as they are");
      }
    }
    return null;
  }

  private static int intLe(ByteBuffer buffer, int offset) {
    return buffer.remaining() < offset + 4 ? 0 : buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
  }

  private static boolean startsWith(ByteBuffer buffer, int offset, String text) {
    return bytes(buffer, offset, text.chars().toArray());
  }

  private static boolean bytes(ByteBuffer buffer, int offset, int... expected) {
    if (buffer.remaining() < offset + expected.length) {
      return false;
    }
    for (int index = 0; index < expected.length; index++) {
      if ((buffer.get(buffer.position() + offset + index) & 0xff) != expected[index]) {
        return false;
      }
    }
    return true;
  }
}
