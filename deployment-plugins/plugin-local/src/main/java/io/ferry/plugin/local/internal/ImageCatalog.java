package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.ImageInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Describes the images in {@code images/}: facts from the sidecar where there is one, the rest
 * from the file itself (format and size from its headers, boot mode from its partition table).
 */
final class ImageCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(ImageCatalog.class);

  /** Facts read from an image file, cached per file and version. */
  private record FileFacts(DiskFormat format, long virtualSize, BootMode bootMode, List<String> companions) {}

  /**
   * Facts by {@code path|version}: opening some formats is costly (a GCP archive is extracted to
   * be read), so each version of a file is opened once per process for listing.
   */
  private static final Map<String, FileFacts> FACTS = new ConcurrentHashMap<>();

  private static final int MAX_CACHED_FACTS = 10_000;

  private final AccountLayout layout;
  private final String accountLayer;

  ImageCatalog(AccountLayout layout, String accountLayer) {
    this.layout = layout;
    this.accountLayer = accountLayer;
  }

  /**
   * Every image file, sorted by id; the extent files of a VMDK descriptor in the folder are part of
   * that image, not images of their own.
   */
  List<ImageInfo> list() {
    List<ImageInfo> images = new ArrayList<>();
    Set<String> companions = new HashSet<>();
    for (String id : imageIds()) {
      try {
        ImageInfo image = describe(id);
        images.add(image);
        companions.addAll(facts(id, layout.image(id), image.version()).companions());
      } catch (FerryException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          throw e;
        }
        // Deleted while listing: not an image any more.
      }
    }
    images.removeIf(image -> companions.contains(image.id()));
    return images;
  }

  /** The ids (file names) of the files in {@code images/} that are images, sorted. */
  List<String> imageIds() {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.images())) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (AccountLayout.isImageFileName(name) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          ids.add(name);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw IoErrors.translate("listing " + layout.images(), e);
    }
    ids.sort(null);
    return ids;
  }

  /** Describes one image; NOT_FOUND when there is no such file. */
  ImageInfo describe(String imageId) {
    Path file = layout.image(imageId);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw notFound(imageId);
    } catch (IOException e) {
      throw IoErrors.translate("reading the attributes of image " + imageId, e);
    }
    if (!attributes.isRegularFile()) {
      throw notFound(imageId);
    }
    ImageSidecar sidecar = readSidecar(imageId);
    String version = version(attributes);
    FileFacts facts = facts(imageId, file, version);
    DiskFormat format = facts.format();
    long virtualSize = facts.virtualSize();
    BootMode bootMode = sidecar != null && sidecar.bootMode() != null ? sidecar.bootMode() : facts.bootMode();
    String name = sidecar != null && sidecar.name() != null ? sidecar.name() : baseName(imageId);
    Instant createdAt =
        sidecar != null && sidecar.createdAt() != null
            ? sidecar.createdAt()
            : attributes.lastModifiedTime().toInstant();
    return new ImageInfo(
        imageId,
        name,
        version,
        format,
        virtualSize,
        sidecar != null ? sidecar.osName() : null,
        sidecar != null && sidecar.architecture() != null ? sidecar.architecture() : Architecture.UNKNOWN,
        bootMode != null ? bootMode : BootMode.UNKNOWN,
        sidecar != null && sidecar.cloudLayer() != null ? sidecar.cloudLayer() : accountLayer,
        sidecar != null ? sidecar.tags() : Map.of(),
        createdAt);
  }

  /** What the file itself says; format null and size -1 when it cannot be opened. */
  /** The facts of {@code file} at {@code version}, from the cache or read now. */
  private static FileFacts facts(String imageId, Path file, String version) {
    FileFacts facts = FACTS.get(file + "|" + version);
    if (facts == null) {
      facts = readFacts(imageId, file);
      if (FACTS.size() >= MAX_CACHED_FACTS) {
        FACTS.clear();
      }
      FACTS.put(file + "|" + version, facts);
    }
    return facts;
  }

  private static FileFacts readFacts(String imageId, Path file) {
    try (DiskImageReader reader = ImageFiles.open(file)) {
      Path folder = file.toAbsolutePath().getParent().toRealPath();
      List<String> companions = reader.companionFiles().stream()
          .filter(companion -> folder.equals(companion.getParent()))
          .map(companion -> companion.getFileName().toString())
          .toList();
      return new FileFacts(reader.format(), reader.virtualSize(), BootModeProbe.probe(reader), companions);
    } catch (FerryException | IOException e) {
      LOG.warn("image {} cannot be opened, listing it without format and size: {}", imageId, e.toString());
      return new FileFacts(null, -1, BootMode.UNKNOWN, List.of());
    }
  }

  /** The sidecar of {@code imageId}, or null when there is none or it is unreadable. */
  ImageSidecar readSidecar(String imageId) {
    Path path = layout.sidecar(imageId);
    try {
      return JsonFiles.read(path, ImageSidecar.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      LOG.warn("sidecar {} is unreadable, describing the image from its file: {}", path, e.toString());
      return null;
    }
  }

  /**
   * The image's version: a digest of its size, modification time and file identity (inode),
   * which changes whenever the file is rewritten. Cheap, unlike hashing the content.
   */
  static String version(BasicFileAttributes attributes) {
    String identity =
        attributes.size()
            + ":"
            + attributes.lastModifiedTime().toInstant()
            + ":"
            + attributes.fileKey();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return "v-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String baseName(String fileName) {
    int dot = fileName.indexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  static FerryException notFound(String imageId) {
    return new FerryException(ErrorCode.NOT_FOUND, "local cloud: no image '" + imageId + "'");
  }
}
