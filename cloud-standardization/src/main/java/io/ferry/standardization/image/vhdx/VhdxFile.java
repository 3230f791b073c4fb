package io.ferry.standardization.image.vhdx;

import io.ferry.standardization.image.internal.FileWindow;
import io.ferry.standardization.image.internal.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A VHDX file as its structures are read: the file itself, or the file as it would be after
 * replaying its log ({@link VhdxLog}), without writing to it. Replayed updates are kept in memory
 * as disjoint pieces of the file (4 KiB sectors of data, runs of zeros), laid over what the file
 * holds; the file is as long as the log says it must be at least, bytes past its physical end
 * reading as zeros.
 */
final class VhdxFile {

  /** Part of the file replaced by the log: {@code data} (null for zeros) over {@code length} bytes. */
  private record Piece(long length, byte[] data) {}

  private final FileWindow window;
  private final NavigableMap<Long, Piece> pieces = new TreeMap<>();
  private long length;
  private String replayNote;

  VhdxFile(FileWindow window) {
    this.window = window;
    this.length = window.length();
  }

  /** The file under the updates. */
  FileWindow window() {
    return window;
  }

  /** The file's length, with what the log extends it to. */
  long length() {
    return length;
  }

  /** What replaying the log did, for people; null when there was no log to replay. */
  String replayNote() {
    return replayNote;
  }

  void replayNote(String note) {
    this.replayNote = note;
  }

  /** Replays a write of {@code data} (a whole number of bytes) at {@code offset}. */
  void write(long offset, byte[] data) {
    replace(offset, new Piece(data.length, data));
  }

  /** Replays zeroing {@code count} bytes at {@code offset}. */
  void zero(long offset, long count) {
    if (count > 0) {
      replace(offset, new Piece(count, null));
    }
  }

  /** Makes the file at least {@code size} bytes long. */
  void extendTo(long size) {
    length = Math.max(length, size);
  }

  private void replace(long offset, Piece piece) {
    long end = offset + piece.length();
    // cut the piece that starts before offset and reaches into [offset, end)
    Map.Entry<Long, Piece> before = pieces.floorEntry(offset);
    if (before != null && before.getKey() < offset && before.getKey() + before.getValue().length() > offset) {
      split(before.getKey(), offset);
    }
    Map.Entry<Long, Piece> last = pieces.lowerEntry(end);
    if (last != null && last.getKey() + last.getValue().length() > end) {
      split(last.getKey(), end);
    }
    pieces.subMap(offset, true, end, false).clear();
    pieces.put(offset, piece);
    length = Math.max(length, end);
  }

  /** Splits the piece at {@code start} in two at {@code at}. */
  private void split(long start, long at) {
    Piece piece = pieces.get(start);
    long head = at - start;
    if (piece.data() == null) {
      pieces.put(start, new Piece(head, null));
      pieces.put(at, new Piece(piece.length() - head, null));
    } else {
      byte[] first = java.util.Arrays.copyOfRange(piece.data(), 0, (int) head);
      byte[] second = java.util.Arrays.copyOfRange(piece.data(), (int) head, piece.data().length);
      pieces.put(start, new Piece(first.length, first));
      pieces.put(at, new Piece(second.length, second));
    }
  }

  /** Reads exactly {@code count} bytes of {@code structure} at {@code offset}. */
  ByteBuffer read(String structure, long offset, int count) throws IOException {
    if (pieces.isEmpty() && length == window.length()) {
      return window.read(structure, offset, count);
    }
    checkBounds(structure, offset, count);
    ByteBuffer buffer = ByteBuffer.allocate(count);
    readFully(structure, offset, buffer);
    buffer.flip();
    return buffer;
  }

  /** Fills {@code destination} from {@code offset}; reading past the file is corruption. */
  void readFully(String structure, long offset, ByteBuffer destination) throws IOException {
    if (pieces.isEmpty() && length == window.length()) {
      window.readFully(structure, offset, destination);
      return;
    }
    int count = destination.remaining();
    checkBounds(structure, offset, count);
    int start = destination.position();
    long end = offset + count;
    long physical = Math.min(end, window.length());
    if (physical > offset) {
      window.readFully(structure, offset, destination.slice(start, (int) (physical - offset)));
    }
    if (end > Math.max(physical, offset)) {
      long from = Math.max(physical, offset);
      Zeros.fill(destination.slice(start + (int) (from - offset), (int) (end - from)), (int) (end - from));
    }
    Map.Entry<Long, Piece> first = pieces.floorEntry(offset);
    long from = first != null ? first.getKey() : offset;
    for (Map.Entry<Long, Piece> entry : pieces.subMap(from, true, end, false).entrySet()) {
      long pieceStart = entry.getKey();
      Piece piece = entry.getValue();
      long overlapStart = Math.max(pieceStart, offset);
      long overlapEnd = Math.min(pieceStart + piece.length(), end);
      if (overlapStart >= overlapEnd) {
        continue;
      }
      int at = start + (int) (overlapStart - offset);
      int size = (int) (overlapEnd - overlapStart);
      if (piece.data() == null) {
        Zeros.fill(destination.slice(at, size), size);
      } else {
        destination.put(at, piece.data(), (int) (overlapStart - pieceStart), size);
      }
    }
    destination.position(start + count);
  }

  private void checkBounds(String structure, long offset, int count) {
    if (offset < 0 || offset > length || count > length - offset) {
      throw VhdxReader.corrupt(
          structure + " at offset " + offset + " (length " + count
              + ") lies past the end of the file (size " + length + ", after replaying its log)");
    }
  }
}
