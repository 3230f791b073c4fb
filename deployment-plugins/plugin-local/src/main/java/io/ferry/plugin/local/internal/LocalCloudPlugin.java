package io.ferry.plugin.local.internal;

import io.ferry.plugin.local.internal.JobRegistry.Kind;
import io.ferry.plugin.local.internal.JobRegistry.Resource;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootCheck;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.PriceSheet;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import io.ferry.standardization.spi.VolumeRef;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** One local cloud account: a directory on this machine. See {@link AccountLayout}. */
public final class LocalCloudPlugin implements CloudPlugin {

  /** Volumes are rounded up to whole MiB, as clouds round to whole GiB. */
  static final long VOLUME_GRANULE = 1L << 20;

  private final LocalSettings settings;
  private final PluginContext context;
  private final AccountLayout layout;
  private final JobRegistry registry;
  private final HelperProcesses helpers;
  private final ImageCatalog catalog;
  private final JobCleanup cleanup;
  private final QemuBoot boots;

  public LocalCloudPlugin(LocalSettings settings, PluginContext context) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.context = Objects.requireNonNull(context, "context");
    this.layout = new AccountLayout(settings.directory());
    this.registry = new JobRegistry(layout.registry());
    this.helpers = new HelperProcesses(layout.root());
    this.catalog = new ImageCatalog(layout, settings.layer());
    this.boots = new QemuBoot(layout, registry, settings.bootAccelerator());
    this.cleanup = new JobCleanup(layout, registry, helpers, catalog, boots);
  }

  /** The account's settings. */
  public LocalSettings settings() {
    return settings;
  }

  @Override
  public void validate() {
    ensureLayout();
    if (!Files.isWritable(layout.root())) {
      throw new FerryException(
          ErrorCode.CLOUD_PERMISSION_DENIED, "local cloud: the account directory " + layout.root() + " is not writable");
    }
  }

  /** Checks that the account's directory exists and creates its folders. */
  private void ensureLayout() {
    if (!Files.isDirectory(layout.root())) {
      throw new FerryException(
          ErrorCode.NOT_FOUND,
          "local cloud: the account directory " + layout.root() + " does not exist or is not a directory");
    }
    try {
      for (Path folder : List.of(layout.images(), layout.volumes(), layout.uploads(), layout.helpers())) {
        Files.createDirectories(folder);
      }
    } catch (IOException e) {
      throw IoErrors.translate("creating the folders of " + layout.root(), e);
    }
  }

  @Override
  public List<ImageInfo> listImages() {
    ensureLayout();
    return catalog.list();
  }

  @Override
  public ImageInfo describeImage(String imageId) {
    ensureLayout();
    return catalog.describe(imageId);
  }

  @Override
  public DiskImageReader openImage(String imageId, JobTag tag) {
    ensureLayout();
    Path file = layout.image(imageId);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      // Symbolic links are not images of the account (as in listImages): nothing outside the
      // account's directory is read through an image id.
      throw ImageCatalog.notFound(imageId);
    }
    try {
      return ImageFiles.open(file);
    } catch (IOException e) {
      throw IoErrors.translate("opening image " + imageId, e);
    }
  }

  @Override
  public DirectUpload openDirectUpload(UploadSpec spec, JobTag tag) {
    Objects.requireNonNull(tag, "tag");
    ensureLayout();
    if (spec.virtualSize() <= 0) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "local cloud: upload size must be positive: " + spec.virtualSize());
    }
    checkQuota("upload", spec.virtualSize());
    String name = AccountLayout.slug(spec.name() == null ? "" : spec.name(), 60);
    String uploadId =
        AccountLayout.jobSlug(tag.jobId()) + "-" + (name.isEmpty() ? "disk" : name) + "-" + randomSuffix() + ".tmp";
    Path target = layout.upload(uploadId);
    registry.record(tag.jobId(), Resource.of(Kind.UPLOAD, uploadId));
    DiskImageWriter writer;
    try {
      writer = ImageFiles.create(target, settings.format(), spec.virtualSize());
    } catch (IOException e) {
      throw IoErrors.translate("creating upload " + uploadId, e);
    }
    return new LocalDirectUpload(
        uploadId,
        target,
        new GuardedWriter(writer, "upload " + uploadId),
        () -> registry.forget(tag.jobId(), Kind.UPLOAD, uploadId));
  }

  @Override
  public VolumeRef createVolume(long sizeBytes, JobTag tag) {
    Objects.requireNonNull(tag, "tag");
    ensureLayout();
    if (sizeBytes <= 0) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "local cloud: volume size must be positive: " + sizeBytes);
    }
    long size = Math.multiplyExact(Math.floorDiv(Math.addExact(sizeBytes, VOLUME_GRANULE - 1), VOLUME_GRANULE), VOLUME_GRANULE);
    checkQuota("volume", size);
    String volumeId = "vol-" + AccountLayout.jobSlug(tag.jobId()) + "-" + randomSuffix() + ".raw";
    Path file = layout.volume(volumeId);
    registry.record(tag.jobId(), Resource.of(Kind.VOLUME, volumeId));
    try {
      Files.newByteChannel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE).close();
      try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
        sparse.setLength(size);
      }
    } catch (IOException e) {
      throw IoErrors.translate("creating volume " + volumeId + " of " + size + " bytes", e);
    }
    return new VolumeRef(volumeId, size);
  }

  @Override
  public void deleteVolume(VolumeRef volume) {
    ensureLayout();
    Path file = layout.volume(volume.id());
    LoopDevices.release(file);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw IoErrors.translate("deleting volume " + volume.id(), e);
    }
    forgetEverywhere(Kind.VOLUME, volume.id());
  }

  @Override
  public HelperRef launchHelper(HelperSpec spec, JobTag tag) {
    Objects.requireNonNull(tag, "tag");
    ensureLayout();
    Path agentJar = agentJar();
    String helperId = "helper-" + AccountLayout.jobSlug(tag.jobId()) + "-" + randomSuffix();
    registry.record(tag.jobId(), Resource.of(Kind.HELPER, helperId));
    ProcessHandle process;
    try {
      process = helpers.launch(helperId, tag.jobId(), agentJar, spec, layout.helperLog(helperId));
    } catch (IOException e) {
      throw IoErrors.translate("starting helper " + helperId, e);
    }
    registry.record(
        tag.jobId(),
        new Resource(Kind.HELPER, helperId, process.pid(), process.info().startInstant().orElse(null)));
    return new HelperRef(helperId, "localhost");
  }

  private Path agentJar() {
    if (settings.agentJar() != null) {
      return settings.agentJar();
    }
    String property = System.getProperty(LocalSettings.AGENT_JAR_PROPERTY);
    if (property == null || property.isBlank()) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "local cloud: helpers need the guest agent jar: set the account's '"
              + LocalSettings.AGENT_JAR
              + "' or the system property "
              + LocalSettings.AGENT_JAR_PROPERTY);
    }
    return Path.of(property).toAbsolutePath();
  }

  @Override
  public void terminateHelper(HelperRef helper) {
    ensureLayout();
    String helperId = AccountLayout.checkId("helper", helper.id());
    for (ProcessHandle process : helpers.find(helperId)) {
      if (helperId.equals(HelperProcesses.helperId(process))) {
        HelperProcesses.kill(process);
      }
    }
    try {
      helpers.removeScratch(helperId);
      Files.deleteIfExists(layout.helperLog(helperId));
    } catch (IOException e) {
      throw IoErrors.translate("deleting the log and temporary folder of helper " + helperId, e);
    }
    forgetEverywhere(Kind.HELPER, helperId);
  }

  @Override
  public String attachVolume(VolumeRef volume, HelperRef helper) {
    ensureLayout();
    Path file = layout.volume(volume.id());
    if (!Files.isRegularFile(file)) {
      throw new FerryException(ErrorCode.NOT_FOUND, "local cloud: no volume '" + volume.id() + "'");
    }
    String helperId = AccountLayout.checkId("helper", helper.id());
    boolean running =
        helpers.find(helperId).stream().anyMatch(process -> helperId.equals(HelperProcesses.helperId(process)));
    if (!running) {
      throw new FerryException(ErrorCode.NOT_FOUND, "local cloud: helper '" + helperId + "' is not running");
    }
    return file.toString();
  }

  @Override
  public void detachVolume(VolumeRef volume) {
    // The helper loop-mounts the file itself and should release it; whatever it left mounted or
    // attached (a helper that died, say) is released here, so the volume is consistent on disk.
    ensureLayout();
    LoopDevices.release(layout.volume(volume.id()));
  }

  @Override
  public RegisteredImage registerImage(RegisterRequest request) {
    ensureLayout();
    return new ImageRegistration(settings, context.clock(), layout, registry, catalog).register(request);
  }

  @Override
  public void deleteImage(String imageId) {
    ensureLayout();
    Path file = layout.image(imageId);
    ImageSidecar sidecar = catalog.readSidecar(imageId);
    if (sidecar == null && !Files.exists(file)) {
      return;
    }
    String jobId = sidecar == null ? null : sidecar.tags().get(JobTag.KEY);
    if (jobId == null) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "local cloud: image '" + imageId + "' was not registered by Ferry (no " + JobTag.KEY + " tag); refusing to delete it");
    }
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(layout.sidecar(imageId));
    } catch (IOException e) {
      throw IoErrors.translate("deleting image " + imageId, e);
    }
    registry.forget(jobId, Kind.IMAGE, imageId);
  }

  /**
   * Boots the image with QEMU on a throwaway qcow2 overlay in {@code boots/} (see {@link
   * QemuBoot}): BIOS or UEFI as the image's boot mode says, x86-64 only.
   */
  @Override
  public BootCheck bootImage(String imageId, JobTag tag, Duration timeout) {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "local cloud: the boot check's time limit must be positive: " + timeout);
    }
    ensureLayout();
    Path file = layout.image(imageId);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw ImageCatalog.notFound(imageId);
    }
    ImageInfo image = catalog.describe(imageId);
    if (image.architecture() != null && image.architecture() != Architecture.X86_64) {
      throw new FerryException(
          ErrorCode.UNSUPPORTED, "local cloud: the boot check runs x86-64 images only; " + imageId + " is " + image.architecture());
    }
    DiskFormat format;
    try (DiskImageReader reader = ImageFiles.open(file)) {
      format = reader.format();
    } catch (IOException e) {
      throw IoErrors.translate("opening image " + imageId, e);
    }
    String bootId = "boot-" + AccountLayout.jobSlug(tag.jobId()) + "-" + randomSuffix();
    // The kvm layer's datasource is NoCloud: a seed proves that the injected datasource works.
    boolean noCloud = "kvm".equals(image.cloudLayer());
    return boots.boot(tag.jobId(), bootId, file, format, image.bootMode(), timeout, noCloud);
  }

  @Override
  public CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
    ensureLayout();
    return cleanup.deleteTagged(tag, keepImageIds);
  }

  @Override
  public PriceSheet prices() {
    return PriceSheet.free();
  }

  private void checkQuota(String what, long size) {
    if (size > settings.maxVolumeBytes()) {
      throw new FerryException(
          ErrorCode.CLOUD_QUOTA_EXCEEDED,
          "local cloud: a " + what + " of " + size + " bytes exceeds the account's maxVolumeBytes of " + settings.maxVolumeBytes());
    }
  }

  private void forgetEverywhere(Kind kind, String id) {
    registry.update(
        jobs -> {
          Map<String, List<Resource>> changed = new HashMap<>();
          jobs.forEach(
              (job, resources) -> {
                List<Resource> kept = resources.stream().filter(r -> !(r.kind() == kind && r.id().equals(id))).toList();
                if (kept.size() != resources.size()) {
                  changed.put(job, kept);
                }
              });
          changed.forEach((job, kept) -> {
            if (kept.isEmpty()) {
              jobs.remove(job);
            } else {
              jobs.put(job, kept);
            }
          });
          return null;
        });
  }

  private static String randomSuffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Renames {@code from} to {@code to} atomically where possible, durably where possible. */
  static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
    JsonFiles.forceDirectory(to.getParent());
  }
}
