package io.ferry.standardization.image.vhdx;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.internal.FileWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The VHDX log (MS-VHDX 2.3), replayed in memory: a VHDX whose writer stopped before applying
 * its metadata updates (a host crash, a VM not shut down cleanly) keeps them in the log, and the
 * file is read as it would be after replaying them, while the file itself is never written to.
 *
 * <p>Finds the active sequence as the specification describes (the newest valid and complete run
 * of entries from a head entry back to the tail it names, every entry whole: signature, log GUID,
 * descriptors, data sectors with the sequence number split around them, CRC-32C over the entry),
 * then lays its zero and data descriptors over the file in order. A log whose GUID is set but that
 * holds no valid sequence, or a file shorter than the head entry's flushed file offset, is corrupt.
 * Memory is bounded by the log's size, at most {@link #MAX_LOG_LENGTH}.
 */
final class VhdxLog {

  /** The largest log replayed (Hyper-V and qemu-img make 1 MiB logs). */
  static final long MAX_LOG_LENGTH = 32L << 20;

  private static final int SECTOR = 4096;
  private static final int ENTRY_SIGNATURE = 0x65676f6c; // "loge"
  private static final int ZERO_SIGNATURE = 0x6f72657a; // "zero"
  private static final int DESCRIPTOR_SIGNATURE = 0x63736564; // "desc"
  private static final int DATA_SIGNATURE = 0x61746164; // "data"
  private static final long MIB = 1 << 20;
  /** No update of a valid entry reaches past this offset (a VHDX holds at most 64 TiB of data). */
  private static final long MAX_FILE_OFFSET = 1L << 47;

  private final FileWindow file;
  private final long logOffset;
  private final long logLength;
  private final UUID logGuid;
  /** Entries checked so far by their position in the log; null for no valid entry there. */
  private final Map<Long, Entry> checked = new HashMap<>();

  /** A valid entry: where it is in the log and what its header says. */
  private record Entry(
      long position, long length, long tail, long sequence, long flushedFileOffset, long lastFileOffset) {}

  private VhdxLog(FileWindow file, long logOffset, long logLength, UUID logGuid) {
    this.file = file;
    this.logOffset = logOffset;
    this.logLength = logLength;
    this.logGuid = logGuid;
  }

  /**
   * The file as its structures must be read: with its log replayed when {@code header} (the current
   * header) names a non-empty log, as it is otherwise.
   */
  static VhdxFile replay(FileWindow file, ByteBuffer header) throws IOException {
    VhdxFile replayed = new VhdxFile(file);
    UUID logGuid = VhdxReader.guid(header, 48);
    long logLength = Integer.toUnsignedLong(header.getInt(68));
    long logOffset = header.getLong(72);
    if (logGuid.equals(new UUID(0, 0)) || logLength == 0) {
      return replayed; // no log to replay
    }
    int logVersion = Short.toUnsignedInt(header.getShort(64));
    if (logVersion != 0) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED, "VHDX: log version " + logVersion + " is unknown");
    }
    if (logOffset < MIB || logOffset % MIB != 0 || logLength % MIB != 0
        || logOffset > file.length() || logLength > file.length() - logOffset) {
      throw VhdxReader.corrupt(
          "the log at offset " + logOffset + " (length " + logLength + ") is misaligned or lies"
              + " outside the file of " + file.length() + " bytes");
    }
    if (logLength > MAX_LOG_LENGTH) {
      throw new FerryException(
          ErrorCode.IMAGE_FEATURE_UNSUPPORTED,
          "VHDX: the log at offset " + logOffset + " holds updates that were never applied and is "
              + logLength + " bytes long, more than the " + MAX_LOG_LENGTH + " Ferry replays; attach"
              + " the disk once in Hyper-V (or run 'qemu-img check -r all') to replay it, then retry");
    }
    VhdxLog log = new VhdxLog(file, logOffset, logLength, logGuid);
    List<Entry> active = log.activeSequence();
    if (active.isEmpty()) {
      throw VhdxReader.corrupt(
          "the header names a log (GUID " + logGuid + ") at offset " + logOffset + " but the log"
              + " holds no valid sequence of entries to replay");
    }
    Entry head = active.get(active.size() - 1);
    if (file.length() < head.flushedFileOffset()) {
      throw VhdxReader.corrupt(
          "the file of " + file.length() + " bytes is truncated: the log entry at offset "
              + (logOffset + head.position()) + " says it was at least " + head.flushedFileOffset()
              + " bytes long");
    }
    int updates = 0;
    for (Entry entry : active) {
      updates += log.apply(entry, replayed);
    }
    replayed.extendTo(head.lastFileOffset());
    replayed.replayNote("VHDX log replayed in memory: " + active.size() + (active.size() == 1 ? " entry" : " entries")
        + " (sequence " + active.get(0).sequence() + (active.size() == 1 ? "" : " to " + head.sequence()) + ") with "
        + updates + (updates == 1 ? " update" : " updates") + " the file's writer never applied; the file is left as it is");
    return replayed;
  }

  /**
   * The active sequence, tail entry first (MS-VHDX 2.3.3): scans from every 4 KiB position for
   * runs of entries with consecutive sequence numbers and keeps the newest whose head's tail lies
   * within it.
   */
  private List<Entry> activeSequence() throws IOException {
    List<Entry> candidate = List.of();
    long candidateSequence = 0;
    long currentTail = 0;
    long oldTail = 0;
    while (true) {
      List<Entry> current = new ArrayList<>();
      long head = currentTail;
      while (current.size() <= logLength / SECTOR) {
        Entry entry = entryAt(head);
        if (entry == null
            || (!current.isEmpty() && entry.sequence() != current.get(current.size() - 1).sequence() + 1)) {
          break;
        }
        current.add(entry);
        head = (head + entry.length()) % logLength;
      }
      int tailIndex = -1;
      if (!current.isEmpty()) {
        long tail = current.get(current.size() - 1).tail();
        for (int index = 0; index < current.size(); index++) {
          if (current.get(index).position() == tail) {
            tailIndex = index;
            break;
          }
        }
      }
      boolean valid = tailIndex >= 0;
      if (valid && current.get(current.size() - 1).sequence() > candidateSequence) {
        candidate = List.copyOf(current.subList(tailIndex, current.size()));
        candidateSequence = current.get(current.size() - 1).sequence();
      }
      if (!valid) {
        currentTail += SECTOR;
        if (currentTail >= logLength) {
          currentTail = 0;
        }
      } else {
        currentTail = head % logLength;
      }
      if (currentTail <= oldTail) {
        return candidate; // wrapped around: every position has been scanned
      }
      oldTail = currentTail;
    }
  }

  /** The valid entry at {@code position} in the log, or null. */
  private Entry entryAt(long position) throws IOException {
    if (checked.containsKey(position)) {
      return checked.get(position);
    }
    Entry entry = check(position);
    checked.put(position, entry);
    return entry;
  }

  /** Reads and checks the entry at {@code position}: null when it is not a whole, valid entry. */
  private Entry check(long position) throws IOException {
    ByteBuffer first = readLog(position, SECTOR);
    if (first.getInt(0) != ENTRY_SIGNATURE) {
      return null;
    }
    long length = Integer.toUnsignedLong(first.getInt(8));
    long tail = Integer.toUnsignedLong(first.getInt(12));
    long sequence = first.getLong(16);
    long descriptorCount = Integer.toUnsignedLong(first.getInt(24));
    long flushed = first.getLong(48);
    long last = first.getLong(56);
    if (length < SECTOR || length % SECTOR != 0 || length > logLength
        || tail % SECTOR != 0 || tail >= logLength || sequence <= 0
        || !VhdxReader.guid(first, 32).equals(logGuid)
        || descriptorSectors(descriptorCount) * SECTOR > length
        || flushed < 0 || flushed % MIB != 0 || flushed > MAX_FILE_OFFSET
        || last < 0 || last % MIB != 0 || last > MAX_FILE_OFFSET) {
      return null;
    }
    ByteBuffer whole = readLog(position, (int) length);
    if (VhdxReader.crc32c(whole, (int) length, 4) != whole.getInt(4)) {
      return null;
    }
    long dataSectors = 0;
    for (int index = 0; index < descriptorCount; index++) {
      int at = 64 + index * 32;
      int signature = whole.getInt(at);
      long fileOffset = whole.getLong(at + 16);
      if (whole.getLong(at + 24) != sequence || fileOffset < 0 || fileOffset % SECTOR != 0
          || fileOffset > MAX_FILE_OFFSET - SECTOR) {
        return null;
      }
      if (signature == ZERO_SIGNATURE) {
        long zeroLength = whole.getLong(at + 8);
        if (zeroLength < 0 || zeroLength % SECTOR != 0 || zeroLength > MAX_FILE_OFFSET - fileOffset) {
          return null;
        }
      } else if (signature == DESCRIPTOR_SIGNATURE) {
        long sector = descriptorSectors(descriptorCount) + dataSectors;
        if ((sector + 1) * SECTOR > length) {
          return null;
        }
        int data = (int) (sector * SECTOR);
        if (whole.getInt(data) != DATA_SIGNATURE
            || whole.getInt(data + 4) != (int) (sequence >>> 32)
            || whole.getInt(data + SECTOR - 4) != (int) sequence) {
          return null;
        }
        dataSectors++;
      } else {
        return null;
      }
    }
    return new Entry(position, length, tail, sequence, flushed, last);
  }

  /** Lays the descriptors of {@code entry} over {@code file}, in order; returns how many there are. */
  private int apply(Entry entry, VhdxFile target) throws IOException {
    ByteBuffer whole = readLog(entry.position(), (int) entry.length());
    long descriptorCount = Integer.toUnsignedLong(whole.getInt(24));
    long dataSectors = 0;
    for (int index = 0; index < descriptorCount; index++) {
      int at = 64 + index * 32;
      long fileOffset = whole.getLong(at + 16);
      if (whole.getInt(at) == ZERO_SIGNATURE) {
        target.zero(fileOffset, whole.getLong(at + 8));
      } else {
        int data = (int) ((descriptorSectors(descriptorCount) + dataSectors) * SECTOR);
        byte[] sector = new byte[SECTOR];
        whole.get(data, sector);
        // the data sector's first 8 and last 4 bytes are kept in its descriptor
        ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(0, whole.getLong(at + 8))
            .putInt(SECTOR - 4, whole.getInt(at + 4));
        target.write(fileOffset, sector);
        dataSectors++;
      }
    }
    return (int) descriptorCount;
  }

  /** The 4 KiB sectors the entry header and {@code count} descriptors take. */
  private static long descriptorSectors(long count) {
    return (64 + 32 * count + SECTOR - 1) / SECTOR;
  }

  /** {@code count} bytes of the log from {@code position}, wrapping around its end. */
  private ByteBuffer readLog(long position, int count) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
    long at = position;
    while (bytes.hasRemaining()) {
      int part = (int) Math.min(bytes.remaining(), logLength - at);
      file.readFully("log", logOffset + at, bytes.slice(bytes.position(), part));
      bytes.position(bytes.position() + part);
      at = (at + part) % logLength;
    }
    return bytes.flip();
  }
}
