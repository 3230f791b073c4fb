package io.ferry.agent.layer.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pure text edits of configuration files. No I/O; each edit returns the new text. */
public final class TextEdits {

  private static final Pattern DATASOURCE_LIST =
      Pattern.compile("^datasource_list\\s*:\\s*(.*)$");
  private static final Pattern BLOCK_ITEM = Pattern.compile("^\\s+-\\s*(.+?)\\s*$");
  private static final Pattern GRUB_CMDLINE =
      Pattern.compile("^(\\s*(?:export\\s+)?)(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)=(\"|')?(.*?)\\3?\\s*$");
  private static final Pattern BLS_OPTIONS = Pattern.compile("^(options\\s+)(.*?)\\s*$");
  private static final Pattern DEVICE =
      Pattern.compile(
          "^/dev/(?:(?:xvd|sd|vd|hd)[a-z]+(\\d*)|nvme\\d+n\\d+(?:p(\\d+))?|disk/by-(?:path|id)/.*?(?:-part(\\d+))?)$");

  private TextEdits() {}

  /** A datasource_list found in a cloud-init file: its entries and the lines it spans. */
  public record DatasourceList(List<String> entries, int firstLine, int lastLine) {}

  /** Every top-level {@code datasource_list} in a cloud-init YAML file, in order. */
  public static List<DatasourceList> datasourceLists(String text) {
    List<String> lines = text.lines().toList();
    List<DatasourceList> result = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher matcher = DATASOURCE_LIST.matcher(stripComment(lines.get(i)));
      if (!matcher.matches()) {
        continue;
      }
      String value = matcher.group(1).trim();
      List<String> entries = new ArrayList<>();
      int last = i;
      if (value.startsWith("[")) {
        StringBuilder flow = new StringBuilder(value);
        while (flow.indexOf("]") < 0 && last + 1 < lines.size()) {
          last++;
          flow.append(' ').append(stripComment(lines.get(last)).trim());
        }
        String inner = flow.substring(1, flow.indexOf("]") < 0 ? flow.length() : flow.indexOf("]"));
        for (String item : inner.split(",")) {
          String name = unquote(item.trim());
          if (!name.isEmpty()) {
            entries.add(name);
          }
        }
      } else if (value.isEmpty()) {
        while (last + 1 < lines.size()) {
          Matcher item = BLOCK_ITEM.matcher(stripComment(lines.get(last + 1)));
          if (!item.matches()) {
            break;
          }
          last++;
          entries.add(unquote(item.group(1)));
        }
      } else {
        entries.add(unquote(value));
      }
      result.add(new DatasourceList(List.copyOf(entries), i, last));
      i = last;
    }
    return result;
  }

  /**
   * Removes {@code names} from every datasource_list of a cloud-init file; a list left with
   * nothing but {@code None} is removed so that an earlier file's list applies again.
   */
  public static String removeDatasources(String text, Collection<String> names) {
    List<DatasourceList> lists = datasourceLists(text);
    if (lists.isEmpty()) {
      return text;
    }
    List<String> lines = new ArrayList<>(text.lines().toList());
    for (int index = lists.size() - 1; index >= 0; index--) {
      DatasourceList list = lists.get(index);
      if (list.entries().stream().noneMatch(names::contains)) {
        continue;
      }
      List<String> kept = list.entries().stream().filter(e -> !names.contains(e)).toList();
      for (int line = list.lastLine(); line >= list.firstLine(); line--) {
        lines.remove(line);
      }
      if (kept.stream().anyMatch(e -> !e.equals("None"))) {
        lines.add(list.firstLine(), "datasource_list: [ " + String.join(", ", kept) + " ]");
      }
    }
    return joinLines(lines, text);
  }

  private static String stripComment(String line) {
    boolean single = false;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'' && !quoted) {
        single = !single;
      } else if (c == '"' && !single) {
        quoted = !quoted;
      } else if (c == '#' && !single && !quoted && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String value) {
    String trimmed = value.trim();
    if (trimmed.length() >= 2
        && ((trimmed.startsWith("\"") && trimmed.endsWith("\""))
            || (trimmed.startsWith("'") && trimmed.endsWith("'")))) {
      return trimmed.substring(1, trimmed.length() - 1);
    }
    return trimmed;
  }

  /**
   * Removes MAC pinning from a netplan file: a {@code macaddress:} inside a {@code match:} block
   * becomes {@code name: "e*"} (any Ethernet name) and {@code set-name:} lines go, so the
   * configuration applies to the target's NIC whatever its MAC address and name.
   */
  public static String netplanUnpinMac(String text) {
    List<String> lines = text.lines().toList();
    List<String> result = new ArrayList<>();
    int matchIndent = -1;
    for (String line : lines) {
      String trimmed = line.trim();
      int indent = line.length() - line.stripLeading().length();
      if (matchIndent >= 0 && !trimmed.isEmpty() && indent <= matchIndent) {
        matchIndent = -1;
      }
      if (trimmed.startsWith("match:")) {
        matchIndent = indent;
        result.add(line);
        continue;
      }
      if (matchIndent >= 0 && trimmed.startsWith("macaddress:")) {
        result.add(line.substring(0, indent) + "name: \"e*\"");
        continue;
      }
      if (trimmed.startsWith("set-name:")) {
        continue;
      }
      result.add(line);
    }
    return joinLines(result, text);
  }

  /** Whether a netplan file pins an interface to a MAC address. */
  public static boolean netplanPinsMac(String text) {
    return text.lines().anyMatch(l -> l.trim().startsWith("macaddress:") || l.trim().startsWith("set-name:"));
  }

  /**
   * Removes MAC pinning from a systemd-networkd {@code .network} file: {@code MACAddress=} in the
   * {@code [Match]} section becomes {@code Name=e*}, other sections are left alone.
   */
  public static String networkdUnpinMac(String text) {
    List<String> result = new ArrayList<>();
    boolean match = false;
    boolean hasName = text.lines().anyMatch(l -> l.trim().startsWith("Name="));
    for (String line : text.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.startsWith("[")) {
        match = trimmed.equals("[Match]");
      } else if (match && trimmed.startsWith("MACAddress=")) {
        if (!hasName) {
          result.add("Name=e*");
          hasName = true;
        }
        continue;
      }
      result.add(line);
    }
    return joinLines(result, text);
  }

  /** Removes {@code KEY=} lines (ifcfg {@code HWADDR=}, keyfile {@code mac-address=}). */
  public static String removeKeys(String text, Set<String> keys) {
    List<String> result = new ArrayList<>();
    for (String line : text.lines().toList()) {
      String trimmed = line.trim();
      int equals = trimmed.indexOf('=');
      if (equals > 0 && keys.contains(trimmed.substring(0, equals).trim())) {
        continue;
      }
      result.add(line);
    }
    return joinLines(result, text);
  }

  /** The result of rewriting fstab. */
  public record FstabEdit(String text, List<String> warnings) {}

  /**
   * Rewrites fstab device paths ({@code /dev/xvda1}, {@code /dev/nvme0n1p1}, {@code /dev/sda1},
   * {@code /dev/disk/by-path/...}) to {@code UUID=}, adding {@code nofail} to every rewritten
   * entry except the root file system, and drops the per-instance entries cloud-init's mounts
   * module wrote ({@code comment=cloudconfig}). Devices whose UUID is unknown stay and are
   * reported.
   */
  public static FstabEdit fstabToUuid(String text, Function<String, Optional<String>> uuidOfDevice) {
    List<String> result = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (String line : text.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        result.add(line);
        continue;
      }
      String[] fields = trimmed.split("\\s+");
      if (fields.length >= 4 && fields[3].contains("comment=cloudconfig")) {
        continue;
      }
      if (fields.length < 2 || !DEVICE.matcher(fields[0]).matches()) {
        result.add(line);
        continue;
      }
      Optional<String> uuid = uuidOfDevice.apply(fields[0]);
      if (uuid.isEmpty()) {
        warnings.add("fstab: no file system UUID known for " + fields[0] + " (" + fields[1] + "), left as is");
        result.add(line);
        continue;
      }
      fields[0] = "UUID=" + uuid.get();
      if (fields.length >= 4 && !fields[1].equals("/") && !List.of(fields[3].split(",")).contains("nofail")) {
        fields[3] = fields[3] + ",nofail";
      } else if (fields.length < 4 && !fields[1].equals("/")) {
        String[] extended = new String[4];
        System.arraycopy(fields, 0, extended, 0, fields.length);
        if (fields.length < 3) {
          extended[2] = "auto";
        }
        extended[3] = "defaults,nofail";
        fields = extended;
      }
      result.add(String.join("\t", fields));
    }
    return new FstabEdit(joinLines(result, text), warnings);
  }

  /**
   * The partition number a device path names ({@code /dev/xvda1} is 1, {@code /dev/nvme0n1p2} is
   * 2, {@code /dev/sda} is 0 for the whole disk), or empty for a path of another kind.
   */
  public static Optional<Integer> partitionNumber(String device) {
    Matcher matcher = DEVICE.matcher(device);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    for (int group = 1; group <= 3; group++) {
      String number = matcher.group(group);
      if (number != null && !number.isEmpty()) {
        return Optional.of(Integer.parseInt(number));
      }
    }
    return Optional.of(0);
  }

  /**
   * Edits a kernel command line: removes the {@code remove} tokens, then adds each {@code add}
   * token that is missing; an added {@code key=value} replaces another value of the same key,
   * except {@code console=}, which may repeat.
   */
  public static String editCommandLine(String commandLine, Collection<String> remove, List<String> add) {
    List<String> tokens = new ArrayList<>();
    for (String token : commandLine.trim().split("\\s+")) {
      if (!token.isEmpty() && !remove.contains(token)) {
        tokens.add(token);
      }
    }
    for (String token : add) {
      if (tokens.contains(token)) {
        continue;
      }
      int equals = token.indexOf('=');
      if (equals > 0 && !token.startsWith("console=")) {
        String key = token.substring(0, equals + 1);
        tokens.removeIf(t -> t.startsWith(key));
      }
      tokens.add(token);
    }
    return String.join(" ", tokens);
  }

  /**
   * Applies {@link #editCommandLine} to the {@code GRUB_CMDLINE_LINUX} line of a GRUB defaults
   * file (and removes {@code remove} from {@code GRUB_CMDLINE_LINUX_DEFAULT}); when {@code add}
   * is not empty and there is no {@code GRUB_CMDLINE_LINUX} line, one is appended.
   */
  public static String editGrubDefaults(String text, Collection<String> remove, List<String> add) {
    List<String> result = new ArrayList<>();
    boolean found = false;
    for (String line : text.lines().toList()) {
      Matcher matcher = GRUB_CMDLINE.matcher(line);
      if (!matcher.matches()) {
        result.add(line);
        continue;
      }
      boolean linux = matcher.group(2).equals("GRUB_CMDLINE_LINUX");
      found |= linux;
      String quote = matcher.group(3) == null ? "\"" : matcher.group(3);
      String edited = editCommandLine(matcher.group(4), remove, linux ? add : List.of());
      if (edited.equals(matcher.group(4).trim().replaceAll("\\s+", " "))) {
        result.add(line);
      } else {
        result.add(matcher.group(1) + matcher.group(2) + "=" + quote + edited + quote);
      }
    }
    if (!found && !add.isEmpty()) {
      result.add("GRUB_CMDLINE_LINUX=\"" + String.join(" ", add) + "\"");
    }
    return joinLines(result, text);
  }

  /** Applies {@link #editCommandLine} to the {@code options} line of a BLS entry. */
  public static String editBootLoaderEntry(String text, Collection<String> remove, List<String> add) {
    List<String> result = new ArrayList<>();
    for (String line : text.lines().toList()) {
      Matcher matcher = BLS_OPTIONS.matcher(line);
      if (matcher.matches()) {
        String edited = editCommandLine(matcher.group(2), remove, add);
        result.add(edited.equals(matcher.group(2).trim().replaceAll("\\s+", " ")) ? line : matcher.group(1) + edited);
      } else {
        result.add(line);
      }
    }
    return joinLines(result, text);
  }

  /** The begin marker of the block Ferry adds to /etc/initramfs-tools/modules for a cloud. */
  public static String moduleBlockBegin(String cloud) {
    return "# BEGIN ferry " + cloud + " (written by Ferry, removed by ferry-agent strip)";
  }

  /** The end marker of that block. */
  public static String moduleBlockEnd(String cloud) {
    return "# END ferry " + cloud;
  }

  /** Removes Ferry's block for {@code cloud} from an initramfs-tools modules file. */
  public static String removeModuleBlock(String text, String cloud) {
    List<String> result = new ArrayList<>();
    boolean inside = false;
    for (String line : text.lines().toList()) {
      if (line.startsWith("# BEGIN ferry " + cloud + " ") || line.equals("# BEGIN ferry " + cloud)) {
        inside = true;
        continue;
      }
      if (inside && line.equals(moduleBlockEnd(cloud))) {
        inside = false;
        continue;
      }
      if (!inside) {
        result.add(line);
      }
    }
    return joinLines(result, text);
  }

  /** Sets Ferry's block for {@code cloud} in an initramfs-tools modules file to {@code modules}. */
  public static String setModuleBlock(String text, String cloud, List<String> modules) {
    String without = removeModuleBlock(text, cloud);
    StringBuilder builder = new StringBuilder(without);
    if (builder.length() > 0 && builder.charAt(builder.length() - 1) != '\n') {
      builder.append('\n');
    }
    builder.append(moduleBlockBegin(cloud)).append('\n');
    for (String module : modules) {
      builder.append(module).append('\n');
    }
    builder.append(moduleBlockEnd(cloud)).append('\n');
    return builder.toString();
  }

  /** Parses {@code KEY=value} lines (os-release), unquoting values. */
  public static Map<String, String> keyValues(String text) {
    Map<String, String> result = new java.util.LinkedHashMap<>();
    for (String line : text.lines().toList()) {
      String trimmed = line.trim();
      int equals = trimmed.indexOf('=');
      if (trimmed.startsWith("#") || equals <= 0) {
        continue;
      }
      result.put(trimmed.substring(0, equals), unquote(trimmed.substring(equals + 1)));
    }
    return result;
  }

  private static String joinLines(List<String> lines, String original) {
    if (lines.isEmpty()) {
      return "";
    }
    String joined = String.join("\n", lines);
    return original.endsWith("\n") || original.isEmpty() ? joined + "\n" : joined;
  }
}
