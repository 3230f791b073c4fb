package io.ferry.plugin.local.internal;

import io.ferry.plugin.local.internal.JobRegistry.Kind;
import io.ferry.plugin.local.internal.JobRegistry.Resource;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Registers an image from a finished upload (moved atomically into {@code images/}) or from a
 * helper's volume (a sparse raw file, converted into the account's format). Idempotent: a retry
 * for the same job and source returns the image registered the first time. The sidecar is
 * written, under the registry lock, before the image file appears, so the name is reserved and
 * a crash in between leaves only a tagged sidecar that {@code deleteTagged} removes.
 */
final class ImageRegistration {

  private static final int MAX_NAME_ATTEMPTS = 1000;

  private final LocalSettings settings;
  private final Clock clock;
  private final AccountLayout layout;
  private final JobRegistry registry;
  private final ImageCatalog catalog;

  ImageRegistration(LocalSettings settings, Clock clock, AccountLayout layout, JobRegistry registry, ImageCatalog catalog) {
    this.settings = settings;
    this.clock = clock;
    this.layout = layout;
    this.registry = registry;
    this.catalog = catalog;
  }

  RegisteredImage register(RegisterRequest request) {
    Objects.requireNonNull(request.tag(), "tag");
    if (request.name() == null || request.name().isBlank()) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "local cloud: an image needs a name");
    }
    String jobId = request.tag().jobId();
    String source = AccountLayout.checkId("upload or volume", request.source());
    Path upload = layout.upload(source);
    Path volume = layout.volume(source);
    String previous = previousAttempt(jobId, source);
    if (previous != null && Files.isRegularFile(layout.image(previous))) {
      return new RegisteredImage(previous, layout.image(previous).toString());
    }
    boolean fromUpload = Files.isRegularFile(upload);
    if (!fromUpload && !Files.isRegularFile(volume)) {
      if (Files.exists(upload.resolveSibling(source + AccountLayout.PARTIAL_SUFFIX))) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "local cloud: upload '" + source + "' is not finished");
      }
      throw new FerryException(ErrorCode.NOT_FOUND, "local cloud: no upload or volume '" + source + "' to register");
    }
    String imageId = reserve(request, jobId, source);
    Path image = layout.image(imageId);
    try {
      if (fromUpload) {
        LocalCloudPlugin.moveAtomically(upload, image);
        registry.forget(jobId, Kind.UPLOAD, source);
      } else {
        convertVolume(volume, image, imageId);
      }
    } catch (IOException e) {
      throw IoErrors.translate("registering image " + imageId + " from " + source, e);
    }
    return new RegisteredImage(imageId, image.toString());
  }

  /**
   * The id of the image for this job and source: the one a previous attempt reserved, or a new
   * file name derived from the request's name, reserved by writing its sidecar.
   */
  private String reserve(RegisterRequest request, String jobId, String source) {
    return registry.update(
        jobs -> {
          String imageId = previousAttempt(jobId, source);
          if (imageId == null) {
            imageId = freeName(request.name());
          }
          Map<String, String> tags = new HashMap<>(request.extraTags());
          tags.put(JobTag.KEY, jobId);
          ImageSidecar sidecar =
              new ImageSidecar(
                  request.name(),
                  request.description(),
                  request.osName(),
                  request.architecture(),
                  request.bootMode(),
                  request.cloudLayer() != null ? request.cloudLayer() : settings.layer(),
                  tags,
                  clock.instant(),
                  source);
          try {
            if (!Files.exists(layout.sidecar(imageId))) {
              JsonFiles.writeAtomically(layout.sidecar(imageId), sidecar);
            }
          } catch (IOException e) {
            throw IoErrors.translate("writing the sidecar of image " + imageId, e);
          }
          List<Resource> resources = new ArrayList<>(jobs.getOrDefault(jobId, List.of()));
          String id = imageId;
          resources.removeIf(resource -> resource.kind() == Kind.IMAGE && resource.id().equals(id));
          resources.add(Resource.of(Kind.IMAGE, imageId));
          jobs.put(jobId, resources);
          return imageId;
        });
  }

  private String previousAttempt(String jobId, String source) {
    try (var files = Files.newDirectoryStream(layout.images(), "*" + AccountLayout.SIDECAR_SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String imageId = name.substring(0, name.length() - AccountLayout.SIDECAR_SUFFIX.length());
        ImageSidecar sidecar = catalog.readSidecar(imageId);
        if (sidecar != null && source.equals(sidecar.source()) && jobId.equals(sidecar.tags().get(JobTag.KEY))) {
          return imageId;
        }
      }
    } catch (IOException e) {
      throw IoErrors.translate("listing " + layout.images(), e);
    }
    return null;
  }

  private String freeName(String name) {
    String base = AccountLayout.slug(name, 80);
    if (base.isEmpty()) {
      base = "image";
    }
    String extension = ImageFiles.extension(settings.format());
    for (int attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      String candidate = (attempt == 1 ? base : base + "-" + attempt) + extension;
      if (!Files.exists(layout.image(candidate)) && !Files.exists(layout.sidecar(candidate))) {
        return candidate;
      }
    }
    throw new FerryException(
        ErrorCode.CLOUD_QUOTA_EXCEEDED, "local cloud: more than " + MAX_NAME_ATTEMPTS + " images are named '" + base + "'");
  }

  private void convertVolume(Path volume, Path image, String imageId) throws IOException {
    try (DiskImageReader reader = ImageFiles.openVolume(volume);
        GuardedWriter writer =
            new GuardedWriter(ImageFiles.create(image, settings.format(), reader.virtualSize()), "image " + imageId)) {
      ImageFiles.copy(reader, writer);
    }
  }
}
