package io.ferry.plugin.vsphere.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ferry's facts about a library item, kept as {@code ferry:key=value} lines at the end of the
 * item's description, because content library items have no key/value tags of their own (and
 * vcsim has no tags on library items). The job id line ({@code ferry:job-id=...}) is what cleanup
 * finds an item by. Values are single lines: line breaks are replaced by spaces; in keys, {@code =}
 * and white space become {@code _}.
 */
final class ItemMarker {

  static final String PREFIX = "ferry:";
  static final String JOB_ID = "job-id";
  static final String NAME = "name";
  static final String BOOT_MODE = "boot-mode";
  static final String ARCHITECTURE = "architecture";
  static final String VIRTUAL_SIZE = "virtual-size";
  static final String OS = "os";
  static final String CLOUD_LAYER = "cloud-layer";
  static final String REGISTERED = "registered";
  static final String TAG_PREFIX = "tag.";

  private ItemMarker() {}

  /** The description: {@code text} (may be null), a blank line, then one line per fact. */
  static String write(String text, Map<String, String> facts) {
    StringBuilder description = new StringBuilder();
    if (text != null && !text.isBlank()) {
      description.append(text.strip()).append("\n\n");
    }
    facts.forEach(
        (key, value) -> {
          if (value != null) {
            description
                .append(PREFIX)
                .append(key.replaceAll("[=\\s]", "_"))
                .append('=')
                .append(value.replaceAll("[\\r\\n]+", " "))
                .append('\n');
          }
        });
    return description.toString();
  }

  /** The facts of a description, in order; empty when it has none. */
  static Map<String, String> read(String description) {
    Map<String, String> facts = new LinkedHashMap<>();
    if (description == null) {
      return facts;
    }
    for (String line : description.split("\n")) {
      if (line.startsWith(PREFIX) && line.indexOf('=') > PREFIX.length()) {
        int equals = line.indexOf('=');
        facts.put(line.substring(PREFIX.length(), equals), line.substring(equals + 1).strip());
      }
    }
    return facts;
  }

  /** The free text of a description, without the fact lines. */
  static String text(String description) {
    if (description == null) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (String line : description.split("\n")) {
      if (!line.startsWith(PREFIX)) {
        text.append(line).append('\n');
      }
    }
    String stripped = text.toString().strip();
    return stripped.isEmpty() ? null : stripped;
  }
}
