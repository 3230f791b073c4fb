package io.ferry.plugin.local.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.util.UUID;

/** Reads JSON files and replaces them atomically (temporary file, fsync, rename). */
public final class JsonFiles {

  /** The mapper for sidecars and the registry: ISO timestamps, unknown fields ignored. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private JsonFiles() {}

  /** Reads {@code path} as {@code type}. */
  public static <T> T read(Path path, Class<T> type) throws IOException {
    try (InputStream input = Files.newInputStream(path)) {
      return MAPPER.readValue(input, type);
    }
  }

  /**
   * Writes {@code value} to {@code path} so that readers see either the old or the new content,
   * never a part: the JSON goes to a temporary file in the same folder, is flushed to disk and
   * renamed onto {@code path}.
   */
  public static void writeAtomically(Path path, Object value) throws IOException {
    byte[] bytes = MAPPER.writeValueAsBytes(value);
    Path temporary = path.resolveSibling("." + path.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory(path.getParent());
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Flushes a directory's entries to disk, so that a rename into it survives a power loss. Best
   * effort: file systems and platforms that cannot open directories are left as they are.
   */
  public static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not supported here; the rename is still atomic, only its durability is up to the OS.
    }
  }
}
