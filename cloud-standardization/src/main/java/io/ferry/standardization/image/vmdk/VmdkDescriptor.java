package io.ferry.standardization.image.vmdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A VMDK text descriptor: {@code key=value} lines and extent lines such as {@code RW 2048 FLAT
 * "disk-flat.vmdk" 0}.
 */
record VmdkDescriptor(Map<String, String> entries, List<ExtentLine> extents) {

  static final String SIGNATURE = "# Disk DescriptorFile";
  static final int MAX_SIZE = 64 * 1024;
  private static final int MAX_EXTENTS = 4096;

  /** One extent line: access, size in sectors, type, file name (null for ZERO), sector offset. */
  record ExtentLine(String access, long sectors, String type, String fileName, long offset) {}

  /** Parses {@code text}; {@code where} names the file for messages. */
  static VmdkDescriptor parse(String text, String where) {
    Map<String, String> entries = new LinkedHashMap<>();
    List<ExtentLine> extents = new ArrayList<>();
    int lineNumber = 0;
    for (String rawLine : text.split("\r?\n")) {
      lineNumber++;
      String line = rawLine.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.startsWith("RW ") || upper.startsWith("RDONLY ") || upper.startsWith("NOACCESS ")) {
        if (extents.size() >= MAX_EXTENTS) {
          throw VmdkImages.corrupt(where + " has more than " + MAX_EXTENTS + " extents");
        }
        extents.add(extentLine(line, where, lineNumber));
        continue;
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw VmdkImages.corrupt(
            where + " line " + lineNumber + " is neither an entry nor an extent: " + abbreviate(line));
      }
      String key = line.substring(0, equals).strip();
      String value = line.substring(equals + 1).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      entries.put(key, value);
    }
    return new VmdkDescriptor(entries, extents);
  }

  private static ExtentLine extentLine(String line, String where, int lineNumber) {
    List<String> tokens = new ArrayList<>();
    int index = 0;
    while (index < line.length()) {
      char c = line.charAt(index);
      if (Character.isWhitespace(c)) {
        index++;
      } else if (c == '"') {
        int close = line.indexOf('"', index + 1);
        if (close < 0) {
          throw VmdkImages.corrupt(where + " line " + lineNumber + " has an unterminated file name");
        }
        tokens.add(line.substring(index + 1, close));
        index = close + 1;
      } else {
        int end = index;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
          end++;
        }
        tokens.add(line.substring(index, end));
        index = end;
      }
    }
    try {
      String access = tokens.get(0).toUpperCase(Locale.ROOT);
      long sectors = Long.parseLong(tokens.get(1));
      String type = tokens.get(2).toUpperCase(Locale.ROOT);
      String fileName = tokens.size() > 3 ? tokens.get(3) : null;
      long offset = tokens.size() > 4 ? Long.parseLong(tokens.get(4)) : 0;
      if (sectors <= 0 || sectors > SparseExtentHeader.MAX_CAPACITY_SECTORS || offset < 0) {
        throw VmdkImages.corrupt(where + " line " + lineNumber + " declares an impossible extent");
      }
      return new ExtentLine(access, sectors, type, fileName, offset);
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw VmdkImages.corrupt(where + " line " + lineNumber + " is not a valid extent: " + abbreviate(line));
    }
  }

  private static String abbreviate(String line) {
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }

  /** The value of {@code key}, or null. */
  String get(String key) {
    return entries.get(key);
  }
}
