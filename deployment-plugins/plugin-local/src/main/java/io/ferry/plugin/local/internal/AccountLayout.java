package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Where things live in a local account's directory, and the rules for the names in it. Ids of
 * images, volumes and uploads are plain file names; anything that could leave its folder ({@code
 * /}, {@code \}, {@code ..}) is refused.
 */
public final class AccountLayout {

  /** The suffix of image metadata sidecars. */
  public static final String SIDECAR_SUFFIX = ".ferry.json";

  /** The suffix of outputs still being written (the image formats' partial files). */
  public static final String PARTIAL_SUFFIX = ".ferry-partial";

  /** The file name of the job registry in the account's directory. */
  public static final String REGISTRY_FILE = "ferry-registry.json";

  private static final int MAX_ID_LENGTH = 200;

  private final Path root;

  public AccountLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path images() {
    return root.resolve("images");
  }

  public Path volumes() {
    return root.resolve("volumes");
  }

  public Path uploads() {
    return root.resolve("uploads");
  }

  public Path helpers() {
    return root.resolve("helpers");
  }

  /** Boot checks' overlays, firmware variables and console logs. */
  public Path boots() {
    return root.resolve("boots");
  }

  public Path registry() {
    return root.resolve(REGISTRY_FILE);
  }

  /** The image file of {@code imageId}, after checking the id. */
  public Path image(String imageId) {
    return inside(images(), checkId("image", imageId));
  }

  /** The sidecar of the image {@code imageId}. */
  public Path sidecar(String imageId) {
    return inside(images(), checkId("image", imageId) + SIDECAR_SUFFIX);
  }

  public Path volume(String volumeId) {
    return inside(volumes(), checkId("volume", volumeId));
  }

  public Path upload(String uploadId) {
    return inside(uploads(), checkId("upload", uploadId));
  }

  /** The log file of a helper. */
  public Path helperLog(String helperId) {
    return inside(helpers(), checkId("helper", helperId) + ".log");
  }

  /** A helper's temporary folder (its {@code java.io.tmpdir}: mount points, restore progress). */
  public Path helperScratch(String helperId) {
    return inside(helpers(), checkId("helper", helperId) + ".tmp");
  }

  /** The suffix of the image engine's temporary extracts of archives (GCP image tarballs). */
  public static final String EXTRACT_SUFFIX = ".ferry-extract";

  /**
   * Whether a file in {@code images/} is an image (not a sidecar, partial output, temporary
   * extract or hidden file).
   */
  public static boolean isImageFileName(String fileName) {
    return !fileName.startsWith(".")
        && !fileName.endsWith(SIDECAR_SUFFIX)
        && !fileName.endsWith(PARTIAL_SUFFIX)
        && !fileName.endsWith(EXTRACT_SUFFIX);
  }

  /**
   * Checks that {@code id} is a plain file name: not blank, no path separators, no {@code ..}, no
   * control characters, not hidden, not a sidecar or partial file.
   *
   * @throws FerryException INVALID_REQUEST naming the offending id
   */
  public static String checkId(String kind, String id) {
    if (id == null || id.isBlank()) {
      throw invalidId(kind, String.valueOf(id), "it is empty");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw invalidId(kind, id.substring(0, 40) + "...", "it is longer than " + MAX_ID_LENGTH);
    }
    if (id.contains("/") || id.contains("\\")) {
      throw invalidId(kind, id, "ids are file names and must not contain / or \\");
    }
    if (id.contains("..")) {
      throw invalidId(kind, id, "ids must not contain '..'");
    }
    if (id.startsWith(".")) {
      throw invalidId(kind, id, "ids must not start with '.'");
    }
    for (int index = 0; index < id.length(); index++) {
      if (Character.isISOControl(id.charAt(index))) {
        throw invalidId(kind, id, "ids must not contain control characters");
      }
    }
    if (id.endsWith(SIDECAR_SUFFIX) || id.endsWith(PARTIAL_SUFFIX) || id.endsWith(EXTRACT_SUFFIX)) {
      throw invalidId(kind, id, "it names a sidecar or partial file, not a " + kind);
    }
    return id;
  }

  /**
   * A file-name-safe, collision-free prefix for the resources of a job: the job id reduced to
   * {@code [a-z0-9-]} (at most 40 characters) followed by 8 hex digits of its SHA-256.
   */
  public static String jobSlug(String jobId) {
    String readable = slug(jobId, 40);
    return (readable.isEmpty() ? "job" : readable) + "-" + shortHash(jobId);
  }

  /** {@code text} reduced to lower-case letters, digits and single dashes, at most {@code max}. */
  public static String slug(String text, int max) {
    String lower = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    lower = lower.replaceAll("^-+|-+$", "");
    if (lower.length() > max) {
      lower = lower.substring(0, max).replaceAll("-+$", "");
    }
    return lower;
  }

  /** The first 8 hex digits of the SHA-256 of {@code text}. */
  public static String shortHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Path inside(Path folder, String fileName) {
    Path path = folder.resolve(fileName).normalize();
    if (!folder.equals(path.getParent())) {
      throw invalidId("file", fileName, "it resolves outside " + folder);
    }
    return path;
  }

  private static FerryException invalidId(String kind, String id, String reason) {
    return new FerryException(
        ErrorCode.INVALID_REQUEST, "local cloud: invalid " + kind + " id '" + id + "': " + reason);
  }
}
