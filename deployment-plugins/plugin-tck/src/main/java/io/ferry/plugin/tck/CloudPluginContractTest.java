package io.ferry.plugin.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootCheck;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.CloudPlugins;
import io.ferry.standardization.spi.ConfigProperty;
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
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every cloud plugin keeps, as an abstract JUnit 5 test. A plugin's test extends it
 * and provides {@link #factory()}, {@link #accountConfig()}, {@link #seedImage(SeedImage)} and
 * {@link #listTaggedResources(JobTag)}. Each test runs with a fresh plugin instance and a fresh
 * {@link JobTag}; after each test the job's resources are deleted with {@code deleteTagged} and
 * the contract checks, through {@link #listTaggedResources(JobTag)}, that nothing is left.
 * Parts of the contract that need a capability the factory does not declare are skipped with a
 * message saying so.
 */
public abstract class CloudPluginContractTest {

  /** A setting key no plugin declares. */
  protected static final String UNKNOWN_KEY = "ferryTckUnknownSetting";

  private static final Pattern PLUGIN_ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  /** The plugin under test, created fresh for each test. */
  protected CloudPlugin plugin;

  /** The job tag of the current test. */
  protected JobTag tag;

  /** A scratch folder of the current test (test disks). */
  @TempDir protected Path tckDirectory;

  private final Set<String> registeredImageIds = new HashSet<>();

  /** The factory of the plugin under test. */
  protected abstract CloudPluginFactory factory();

  /** A working account configuration; called once per test. */
  protected abstract CloudAccountConfig accountConfig() throws Exception;

  /**
   * Puts a source image into the account, outside of any job: its root disk is {@code
   * image.rawDisk()} byte for byte, and it carries the given name, boot mode, architecture and
   * operating system. Called only when the plugin declares {@link Capability#LIST_IMAGES} or
   * {@link Capability#EXPORT_IMAGE}.
   *
   * @return the image's id in the account
   */
  protected abstract String seedImage(SeedImage image) throws Exception;

  /**
   * Every resource tagged with {@code tag} that exists in the account, found independently of
   * the plugin's own bookkeeping where possible (files, processes, cloud resources by tag), each
   * as a readable string. Must be empty once {@code deleteTagged} ran.
   */
  protected abstract List<String> listTaggedResources(JobTag tag) throws Exception;

  /** The context plugins get: a fixed clock and a scratch folder. */
  protected PluginContext pluginContext() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    Path scratch = tckDirectory.resolve("plugin-scratch");
    return new PluginContext() {
      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Path scratchDirectory() {
        return scratch;
      }
    };
  }

  /** The size of test disks; plugins of clouds with coarse sizes may use more. */
  protected long testDiskSize() {
    return 4L << 20;
  }

  /** The helper the helper-mode contract launches. */
  protected HelperSpec helperSpec() {
    return new HelperSpec("debian", Architecture.X86_64, "", Map.of());
  }

  /**
   * Why this host cannot run the plugin's boot check (a missing hypervisor binary, say), or null
   * when it can. The boot contract is skipped, with this reason, when it is not null.
   */
  protected String bootCheckUnavailableReason() {
    return null;
  }

  /** The time limit the boot contract gives a disk that cannot boot. */
  protected Duration bootCheckTimeout() {
    return Duration.ofMinutes(2);
  }

  @BeforeEach
  void createPlugin() throws Exception {
    Files.createDirectories(tckDirectory.resolve("plugin-scratch"));
    plugin = factory().create(accountConfig(), pluginContext());
    tag = new JobTag("tck-" + UUID.randomUUID());
  }

  @AfterEach
  void nothingLeaks() throws Exception {
    if (plugin == null) {
      return; // creating the plugin failed; that failure is the test's result
    }
    try {
      CleanupReport report = plugin.deleteTagged(tag, List.of());
      assertThat(report.failed()).as("resources deleteTagged could not delete").isEmpty();
      assertThat(listTaggedResources(tag)).as("resources of job %s left after deleteTagged", tag.jobId()).isEmpty();
      if (declares(Capability.LIST_IMAGES)) {
        for (String imageId : registeredImageIds) {
          assertThat(errorOf(() -> plugin.describeImage(imageId)))
              .as("registered image %s after deleteTagged without keeping it", imageId)
              .isEqualTo(ErrorCode.NOT_FOUND);
        }
      }
    } finally {
      plugin.close();
    }
  }

  // ---------------------------------------------------------------- factory and configuration

  @Test
  void factoryHasAStableIdAndDescribesItself() {
    CloudPluginFactory factory = factory();
    assertThat(factory.id()).matches(PLUGIN_ID);
    assertThat(factory.displayName()).isNotBlank();
    assertThat(factory.capabilities()).isNotNull();
  }

  @Test
  void factoryIsFoundThroughTheServiceLoader() {
    CloudPluginFactory found =
        CloudPlugins.load(factory().getClass().getClassLoader()).factory(factory().id());
    assertThat(found).isInstanceOf(factory().getClass());
  }

  @Test
  void configPropertiesAreDocumentedAndUnique() {
    List<ConfigProperty> properties = factory().configProperties();
    Set<String> keys = new HashSet<>();
    for (ConfigProperty property : properties) {
      assertThat(property.key()).as("a config key").isNotBlank();
      assertThat(keys.add(property.key())).as("key %s declared once", property.key()).isTrue();
      assertThat(property.description()).as("description of %s", property.key()).isNotBlank();
      if (property.required()) {
        assertThat(property.defaultValue()).as("required %s has no default", property.key()).isNull();
      }
      if (property.secret()) {
        assertThat(property.defaultValue()).as("secret %s has no default", property.key()).isNull();
      }
    }
  }

  @Test
  void accountConfigurationUsesOnlyDeclaredKeys() throws Exception {
    CloudAccountConfig config = accountConfig();
    Map<String, Boolean> secretByKey = new HashMap<>();
    factory().configProperties().forEach(property -> secretByKey.put(property.key(), property.secret()));
    config.settings().keySet().forEach(key -> assertThat(secretByKey).as("declared settings").containsEntry(key, false));
    config.secrets().keySet().forEach(key -> assertThat(secretByKey).as("declared secrets").containsEntry(key, true));
  }

  @Test
  void unknownSettingIsRefused() throws Exception {
    CloudAccountConfig config = accountConfig();
    Map<String, String> settings = new HashMap<>(config.settings());
    settings.put(UNKNOWN_KEY, "x");
    CloudAccountConfig withUnknown =
        new CloudAccountConfig(config.accountId(), config.region(), config.endpoint(), settings, config.secrets());
    FerryException failure =
        catchThrowableOfType(FerryException.class, () -> factory().create(withUnknown, pluginContext()).close());
    assertThat(failure).as("creating a plugin with the unknown setting " + UNKNOWN_KEY).isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(failure.getMessage()).contains(UNKNOWN_KEY);
  }

  @Test
  void missingRequiredSettingIsRefused() throws Exception {
    CloudAccountConfig config = accountConfig();
    List<ConfigProperty> required =
        factory().configProperties().stream().filter(ConfigProperty::required).toList();
    assumeTrue(!required.isEmpty(), "plugin " + factory().id() + " has no required setting");
    for (ConfigProperty property : required) {
      Map<String, String> settings = new HashMap<>(config.settings());
      Map<String, String> secrets = new HashMap<>(config.secrets());
      settings.remove(property.key());
      secrets.remove(property.key());
      CloudAccountConfig without =
          new CloudAccountConfig(config.accountId(), config.region(), config.endpoint(), settings, secrets);
      assertThat(errorOf(() -> factory().create(without, pluginContext()).close()))
          .as("creating a plugin without the required %s", property.key())
          .isEqualTo(ErrorCode.INVALID_REQUEST);
    }
  }

  @Test
  void validateAcceptsTheAccount() {
    assertThatCode(plugin::validate).doesNotThrowAnyException();
  }

  @Test
  void pricesAreNonNegative() {
    requires(Capability.PRICES);
    PriceSheet prices = plugin.prices();
    assertThat(prices).isNotNull();
    for (BigDecimal price :
        List.of(prices.egressPerGb(), prices.helperVmPerHour(), prices.imageStoragePerGbMonth(), prices.objectStoragePerGbMonth())) {
      assertThat(price).isNotNull().isGreaterThanOrEqualTo(BigDecimal.ZERO);
    }
  }

  // ---------------------------------------------------------------- list and describe

  @Test
  void seededImageIsListedWithItsFacts() throws Exception {
    requires(Capability.LIST_IMAGES);
    SeedImage seed = seed("ferry-tck-listed", 1);
    String imageId = seedImage(seed);
    ImageInfo listed =
        plugin.listImages().stream().filter(image -> image.id().equals(imageId)).findFirst().orElse(null);
    assertThat(listed).as("image %s in listImages()", imageId).isNotNull();
    assertFacts(listed, seed);
    ImageInfo described = plugin.describeImage(imageId);
    assertFacts(described, seed);
    assertThat(described.version()).isEqualTo(listed.version());
  }

  @Test
  void describingAnUnknownImageIsNotFound() {
    requires(Capability.LIST_IMAGES);
    assertThat(errorOf(() -> plugin.describeImage("ferry-tck-no-such-image"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  // ---------------------------------------------------------------- export

  @Test
  void exportReadsTheExactBytesOfTheImage() throws Exception {
    requires(Capability.EXPORT_IMAGE);
    SeedImage seed = seed("ferry-tck-export", 2);
    String imageId = seedImage(seed);
    try (DiskImageReader reader = plugin.openImage(imageId, tag)) {
      assertThat(reader.virtualSize()).isGreaterThanOrEqualTo(Files.size(seed.rawDisk()));
      assertThat(TestDisk.extentViolation(reader)).as("extent map").isNull();
      assertThat(TestDisk.firstDifference(reader, seed.rawDisk())).as("first differing offset").isEqualTo(-1);
    }
  }

  @Test
  void exportingAnUnknownImageIsNotFound() {
    requires(Capability.EXPORT_IMAGE);
    assertThat(errorOf(() -> plugin.openImage("ferry-tck-no-such-image", tag).close())).isEqualTo(ErrorCode.NOT_FOUND);
  }

  // ---------------------------------------------------------------- volumes and helpers

  @Test
  void createdVolumeIsAtLeastTheAskedSizeAndDeletingTwiceIsFine() throws Exception {
    requires(Capability.HELPER_MODE);
    long asked = 3 * (1L << 20) + 1;
    VolumeRef volume = plugin.createVolume(asked, tag);
    assertThat(volume.id()).isNotBlank();
    assertThat(volume.sizeBytes()).isGreaterThanOrEqualTo(asked);
    assertThat(listTaggedResources(tag)).as("resources after createVolume").isNotEmpty();
    plugin.deleteVolume(volume);
    plugin.deleteVolume(volume);
    assertThat(listTaggedResources(tag)).as("resources after deleteVolume").isEmpty();
  }

  @Test
  void helperIsLaunchedGetsAVolumeAndIsTerminated() throws Exception {
    requires(Capability.HELPER_MODE);
    HelperRef helper = plugin.launchHelper(helperSpec(), tag);
    assertThat(helper.id()).isNotBlank();
    VolumeRef volume = plugin.createVolume(1L << 20, tag);
    assertThat(plugin.attachVolume(volume, helper)).as("device path").isNotBlank();
    plugin.detachVolume(volume);
    plugin.detachVolume(volume);
    plugin.terminateHelper(helper);
    plugin.terminateHelper(helper);
    plugin.deleteVolume(volume);
    assertThat(listTaggedResources(tag)).as("resources after terminate and delete").isEmpty();
  }

  @Test
  void deleteTaggedTerminatesHelpersAndDeletesVolumes() throws Exception {
    requires(Capability.HELPER_MODE);
    HelperRef helper = plugin.launchHelper(helperSpec(), tag);
    VolumeRef volume = plugin.createVolume(1L << 20, tag);
    plugin.attachVolume(volume, helper);
    CleanupReport report = plugin.deleteTagged(tag, List.of());
    assertThat(report.complete()).as("cleanup report %s", report).isTrue();
    assertThat(report.deleted()).isNotEmpty();
    assertThat(listTaggedResources(tag)).isEmpty();
  }

  // ---------------------------------------------------------------- direct upload and register

  @Test
  void uploadedAndRegisteredImageIsListedAndReadsBackIdentical() throws Exception {
    requiresAll(Capability.DIRECT_UPLOAD, Capability.REGISTER_IMAGE);
    Path disk = TestDisk.write(tckDirectory.resolve("upload.raw"), testDiskSize(), 3);
    RegisteredImage image = uploadAndRegister("ferry-tck-upload", disk);
    assertThat(image.imageId()).isNotBlank();
    if (declares(Capability.LIST_IMAGES)) {
      ImageInfo listed =
          plugin.listImages().stream().filter(info -> info.id().equals(image.imageId())).findFirst().orElse(null);
      assertThat(listed).as("registered image in listImages()").isNotNull();
      assertThat(listed.name()).isEqualTo("ferry-tck-upload");
      assertThat(listed.bootMode()).isEqualTo(BootMode.UEFI);
      assertThat(listed.architecture()).isEqualTo(Architecture.X86_64);
      assertThat(listed.virtualSize()).isGreaterThanOrEqualTo(testDiskSize());
      assertThat(listed.tags()).containsEntry(JobTag.KEY, tag.jobId());
    }
    if (declares(Capability.EXPORT_IMAGE)) {
      try (DiskImageReader reader = plugin.openImage(image.imageId(), tag)) {
        assertThat(TestDisk.firstDifference(reader, disk)).as("first differing offset").isEqualTo(-1);
      }
    }
  }

  @Test
  void abandonedUploadLeavesNothing() throws Exception {
    requires(Capability.DIRECT_UPLOAD);
    Path disk = TestDisk.write(tckDirectory.resolve("abandoned.raw"), testDiskSize(), 4);
    DirectUpload upload = plugin.openDirectUpload(uploadSpec("ferry-tck-abandoned"), tag);
    TestDisk.copyInto(disk, upload.writer());
    upload.close();
    upload.close();
    assertThat(listTaggedResources(tag)).as("resources after closing an unfinished upload").isEmpty();
  }

  @Test
  void registeringAnUnknownSourceIsNotFound() {
    requires(Capability.REGISTER_IMAGE);
    RegisterRequest request = registerRequest("ferry-tck-nothing", "ferry-tck-no-such-upload");
    assertThat(errorOf(() -> plugin.registerImage(request))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  // ---------------------------------------------------------------- cleanup by job tag

  @Test
  void deleteTaggedRemovesEverythingButKeptImagesAndIsIdempotent() throws Exception {
    requiresAll(Capability.DIRECT_UPLOAD, Capability.REGISTER_IMAGE);
    Path disk = TestDisk.write(tckDirectory.resolve("kept.raw"), testDiskSize(), 5);
    RegisteredImage kept = uploadAndRegister("ferry-tck-kept", disk);
    RegisteredImage dropped = uploadAndRegister("ferry-tck-dropped", disk);
    DirectUpload unfinished = plugin.openDirectUpload(uploadSpec("ferry-tck-unfinished"), tag);
    if (declares(Capability.HELPER_MODE)) {
      plugin.createVolume(1L << 20, tag);
    }

    CleanupReport first = plugin.deleteTagged(tag, List.of(kept.imageId()));
    CleanupReport second = plugin.deleteTagged(tag, List.of(kept.imageId()));

    assertThat(first.complete()).as("first cleanup %s", first).isTrue();
    assertThat(first.deleted()).anyMatch(entry -> entry.contains(dropped.imageId()));
    assertThat(first.deleted()).noneMatch(entry -> entry.contains(kept.imageId()));
    assertThat(second.complete()).as("second cleanup %s", second).isTrue();
    assertThat(second.deleted()).as("second cleanup deletes nothing more").isEmpty();
    if (declares(Capability.LIST_IMAGES)) {
      assertThat(plugin.describeImage(kept.imageId()).id()).isEqualTo(kept.imageId());
      assertThat(errorOf(() -> plugin.describeImage(dropped.imageId()))).isEqualTo(ErrorCode.NOT_FOUND);
    }
    assertThat(listTaggedResources(tag)).as("only the kept image is left").allMatch(entry -> entry.contains(kept.imageId()));
    unfinished.close();
  }

  // ---------------------------------------------------------------- boot check

  @Test
  void bootingADiskThatCannotBootReportsItWithItsConsoleAndLeavesNothing() throws Exception {
    requiresAll(Capability.BOOT_VERIFY, Capability.DIRECT_UPLOAD, Capability.REGISTER_IMAGE);
    String unavailable = bootCheckUnavailableReason();
    assumeTrue(unavailable == null, "plugin " + factory().id() + " cannot boot images on this host: " + unavailable);
    SeedImage seed = seed("ferry-tck-boot", 5);
    RegisteredImage image = uploadAndRegister("ferry-tck-boot", seed.rawDisk());
    BootCheck check = plugin.bootImage(image.imageId(), tag, bootCheckTimeout());
    assertThat(check.booted()).as("a disk of pattern bytes booted: %s", check).isFalse();
    assertThat(check.elapsed()).isPositive().isLessThan(bootCheckTimeout().plusMinutes(1));
    assertThat(check.detail()).isNotBlank();
    assertThat(check.consoleTail()).isNotNull();
    assertThat(listTaggedResources(tag)).as("resources of the boot check once it returned")
        .allMatch(resource -> resource.contains(image.imageId()));
    try (DiskImageReader reader = plugin.openImage(image.imageId(), tag)) {
      assertThat(TestDisk.firstDifference(reader, seed.rawDisk())).as("the booted image is unchanged").isEqualTo(-1);
    }
  }

  @Test
  void bootingAnUnknownImageIsNotFound() {
    requires(Capability.BOOT_VERIFY);
    assertThat(errorOf(() -> plugin.bootImage("ferry-tck-no-such-image", tag, Duration.ofSeconds(5))))
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void deleteTaggedOfAJobWithNothingIsCompleteAndEmpty() {
    CleanupReport report = plugin.deleteTagged(new JobTag("tck-nothing-" + UUID.randomUUID()), List.of());
    assertThat(report.complete()).isTrue();
    assertThat(report.deleted()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** Uploads {@code rawDisk} directly and registers it under {@code name} for the current job. */
  protected RegisteredImage uploadAndRegister(String name, Path rawDisk) throws Exception {
    String uploadId;
    try (DirectUpload upload = plugin.openDirectUpload(uploadSpec(name), tag)) {
      TestDisk.copyInto(rawDisk, upload.writer());
      upload.writer().finish();
      uploadId = upload.uploadId();
    }
    RegisteredImage image = plugin.registerImage(registerRequest(name, uploadId));
    registeredImageIds.add(image.imageId());
    return image;
  }

  /** An upload of a UEFI x86-64 disk of {@link #testDiskSize()} bytes. */
  protected UploadSpec uploadSpec(String name) {
    return new UploadSpec(name, testDiskSize(), BootMode.UEFI, Architecture.X86_64);
  }

  /** A registration of {@code source} for the current job. */
  protected RegisterRequest registerRequest(String name, String source) {
    return new RegisterRequest(
        name, "made by the plugin TCK", source, BootMode.UEFI, Architecture.X86_64, true,
        "Debian GNU/Linux 12", null, tag, Map.of("ferry:tck", "true"));
  }

  /** A seed image of {@link #testDiskSize()} bytes with pattern {@code seed}. */
  protected SeedImage seed(String name, long seed) throws Exception {
    Path disk = TestDisk.write(tckDirectory.resolve(name + ".raw"), testDiskSize(), seed);
    return new SeedImage(name, disk, BootMode.UEFI, Architecture.X86_64, "Debian GNU/Linux 12");
  }

  /** Whether the plugin declares {@code capability}. */
  protected boolean declares(Capability capability) {
    return factory().capabilities().contains(capability);
  }

  /** Skips the current test unless the plugin declares {@code capability}. */
  protected void requires(Capability capability) {
    assumeTrue(declares(capability), "plugin " + factory().id() + " does not declare " + capability);
  }

  /** Skips the current test unless the plugin declares every one of {@code capabilities}. */
  protected void requiresAll(Capability... capabilities) {
    for (Capability capability : capabilities) {
      requires(capability);
    }
  }

  /** The error code {@code action} fails with, or null when it succeeds. */
  protected static ErrorCode errorOf(ThrowingAction action) {
    try {
      action.run();
      return null;
    } catch (FerryException e) {
      return e.code();
    } catch (Exception e) {
      throw new AssertionError("expected a FerryException, got " + e, e);
    }
  }

  private void assertFacts(ImageInfo image, SeedImage seed) throws Exception {
    assertThat(image.name()).isEqualTo(seed.name());
    assertThat(image.version()).as("version").isNotBlank();
    assertThat(image.virtualSize()).isGreaterThanOrEqualTo(Files.size(seed.rawDisk()));
    assertThat(image.bootMode()).isEqualTo(seed.bootMode());
    assertThat(image.architecture()).isEqualTo(seed.architecture());
  }

  /** An action that may throw. */
  @FunctionalInterface
  protected interface ThrowingAction {
    void run() throws Exception;
  }

}
