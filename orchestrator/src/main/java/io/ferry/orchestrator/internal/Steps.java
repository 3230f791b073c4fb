package io.ferry.orchestrator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.orchestrator.AccountResolver;
import io.ferry.orchestrator.AgentChannel;
import io.ferry.orchestrator.OrchestratorSettings;
import io.ferry.orchestrator.ResolvedAccount;
import io.ferry.orchestrator.StepName;
import io.ferry.orchestrator.internal.JobStore.BundleRow;
import io.ferry.orchestrator.internal.JobStore.Job;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.bundle.BundleManifest;
import io.ferry.standardization.bundle.BundleOptions;
import io.ferry.standardization.bundle.Bundles;
import io.ferry.standardization.bundle.RestoreOptions;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.BootCheck;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.CloudPlugins;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of one migration, direct mode here and helper mode in {@link HelperMode}. Each is
 * idempotent: a rerun after a crash is safe.
 */
public final class Steps {

  /** What a step run ended with. */
  public enum Outcome {
    SUCCEEDED,
    SKIPPED,
    /** The step must wait for another job (a bundle being built); not counted as an attempt. */
    WAIT
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The boot check's time limit when the job does not set {@code bootCheckTimeoutSeconds}. */
  static final long DEFAULT_BOOT_CHECK_TIMEOUT_SECONDS = 600;

  private final JobStore store;
  private final Clock clock;
  private final AccountResolver resolver;
  private final CloudPlugins plugins;
  private final OrchestratorSettings settings;
  private final AgentRunner agent;
  private final HelperMode helper;

  public Steps(JobStore store, Clock clock, AccountResolver resolver, CloudPlugins plugins, OrchestratorSettings settings,
      AgentChannel channel) {
    this.store = store;
    this.clock = clock;
    this.resolver = resolver;
    this.plugins = plugins;
    this.settings = settings;
    this.agent = new AgentRunner(settings.agentJar());
    this.helper = new HelperMode(store, channel, settings.helperMode(), clock);
  }

  /** The folder of a job's scratch files. */
  public Path jobFolder(String jobId) {
    return settings.workDirectory().resolve(safeName(jobId));
  }

  /** Runs {@code step} of {@code job}. */
  public Outcome run(Job job, StepName step, StepContext context) throws IOException {
    context.check();
    try (Accounts accounts = new Accounts(job)) {
      Outcome outcome = switch (step) {
        case PLAN -> plan(job, accounts, context);
        case EXPORT -> export(job, accounts, context);
        case STRIP -> strip(job, context);
        case BUNDLE -> bundle(job, accounts, context);
        case PREPARE_TARGET -> prepareTarget(job, accounts, context);
        case RESTORE -> restore(job, context);
        case INJECT -> inject(job, accounts, context);
        case UPLOAD -> upload(job, accounts, context);
        case REGISTER -> register(job, accounts, context);
        case VERIFY -> verify(job, accounts, context);
        case CLEANUP -> cleanup(job, accounts, context);
      };
      if (outcome != Outcome.WAIT) {
        context.complete();
      }
      return outcome;
    }
  }

  // ------------------------------------------------------------------ PLAN

  private Outcome plan(Job job, Accounts accounts, StepContext context) throws IOException {
    CloudPluginFactory sourceFactory = plugins.factory(accounts.source().pluginId());
    CloudPluginFactory targetFactory = plugins.factory(accounts.target().pluginId());
    require(sourceFactory, Capability.EXPORT_IMAGE, "export images (source)");
    require(targetFactory, Capability.REGISTER_IMAGE, "register images (target)");
    String mode = HelperMode.chooseMode(JSON.readTree(job.options()).path(HelperMode.MODE_OPTION).asText(null),
        targetFactory.capabilities(), targetFactory.id(), helper.controlPlane());
    ImageInfo image = accounts.sourcePlugin().describeImage(job.sourceImageId());
    String version = image.version();
    boolean reusable = version != null && !version.isBlank();
    String bundleId = reusable
        ? "src-" + sha256(job.sourceAccountId() + "\n" + job.sourceImageId() + "\n" + version).substring(0, 48)
        : "job-" + safeName(job.id());
    boolean reused = false;
    String bundleMaker = null;
    if (reusable) {
      BundleRow claim = store.claimBundle(job.sourceAccountId(), job.sourceImageId(), version, bundleId, job.id());
      if ("READY".equals(claim.state())) {
        reused = bundles().store().getManifest(claim.bundleId()).isPresent();
        bundleMaker = claim.ownerJobId();
        if (!reused) {
          store.forgetBundle(claim.bundleId());
          return Outcome.WAIT;
        }
      } else if (!claim.ownerJobId().equals(job.id())) {
        return Outcome.WAIT;
      }
    }
    String sourceLayer = accounts.source().layer() != null ? accounts.source().layer() : image.cloudLayer();
    ObjectNode plan = JSON.createObjectNode();
    plan.put("sourcePlugin", sourceFactory.id());
    plan.put("targetPlugin", targetFactory.id());
    plan.put("sourceVersion", version);
    plan.put("virtualSize", image.virtualSize());
    plan.put("sourceFormat", image.format() == null ? null : image.format().id());
    plan.put("architecture", image.architecture() == null ? null : image.architecture().name());
    plan.put("bootMode", image.bootMode() == null ? null : image.bootMode().name());
    plan.put("osName", image.osName());
    plan.put("imageName", image.name());
    plan.put("sourceLayer", sourceLayer);
    plan.put("targetLayer", accounts.target().layer());
    plan.put("bundleId", bundleId);
    plan.put("bundleReused", reused);
    if (reused) {
      carryExportWarning(plan, bundleMaker, bundleId);
    }
    plan.put("mode", mode);
    plan.put("estimatedCost", 0);
    store.saveResult(job.id(), StepName.PLAN, plan.toString());
    store.setJobColumn(job.id(), "bundle_id", bundleId);
    if (reused) {
      for (StepName skipped : List.of(StepName.EXPORT, StepName.STRIP, StepName.BUNDLE)) {
        store.setStepState(job.id(), skipped, io.ferry.orchestrator.StepState.SKIPPED,
            "bundle " + bundleId + " of this source image version exists: strip once, deploy to many");
      }
    }
    return Outcome.SUCCEEDED;
  }

  /**
   * A reused bundle skips EXPORT, so the warning the job that made it gave there (disks of the
   * source image that stay behind) is given again in PLAN.
   */
  private void carryExportWarning(ObjectNode plan, String bundleMaker, String bundleId) throws IOException {
    String export = bundleMaker == null ? null : store.result(bundleMaker, StepName.EXPORT);
    if (export == null) {
      return;
    }
    JsonNode earlier = JSON.readTree(export);
    if (earlier.hasNonNull("warning")) {
      plan.put("warning", earlier.path("warning").asText() + " (the reused bundle " + bundleId
          + " was made from it by job " + bundleMaker + ")");
      if (earlier.path("otherDisks").isArray()) {
        plan.set("otherDisks", earlier.path("otherDisks").deepCopy());
      }
    }
  }

  // ------------------------------------------------------------------ EXPORT, STRIP, BUNDLE

  private Outcome export(Job job, Accounts accounts, StepContext context) throws IOException {
    Path folder = Files.createDirectories(jobFolder(job.id()));
    Path scratch = folder.resolve("source.raw");
    long resumeFrom = 0;
    String checkpoint = context.savedCheckpoint();
    if (checkpoint != null && Files.exists(scratch)) {
      resumeFrom = JSON.readTree(checkpoint).path("offset").asLong(0);
    }
    try (DiskImageReader reader = accounts.sourcePlugin().openImage(job.sourceImageId(), new JobTag(job.id()))) {
      DiskStreams.export(reader, scratch, resumeFrom, context,
          offset -> context.checkpoint("{\"offset\":" + offset + "}"));
      ObjectNode result = JSON.createObjectNode();
      result.put("format", reader.format().id());
      result.put("virtualSize", reader.virtualSize());
      List<String> others = reader.otherDisks();
      if (!others.isEmpty()) {
        // Ferry moves one disk per image: say plainly which disks stay behind
        result.put("warning", "the source image holds " + (others.size() + 1) + " disks; only its boot disk is"
            + " migrated, not: " + String.join("; ", others));
        others.forEach(result.putArray("otherDisks")::add);
      }
      if (!reader.notes().isEmpty()) {
        reader.notes().forEach(result.putArray("notes")::add); // e.g. a VHDX log replayed in memory
      }
      store.saveResult(job.id(), StepName.EXPORT, result.toString());
    }
    return Outcome.SUCCEEDED;
  }

  private Outcome strip(Job job, StepContext context) throws IOException {
    String layer = plan(job).path("sourceLayer").asText(null);
    if (layer == null) {
      store.saveResult(job.id(), StepName.STRIP, "{\"skipped\":\"the source image carries no known cloud layer\"}");
      return Outcome.SKIPPED;
    }
    Path folder = jobFolder(job.id());
    Path agentScratch = releaseLeftovers(job, folder);
    String report = agent.run(List.of("strip", "--image", folder.resolve("source.raw").toString(), "--source", layer,
        "--output", "json", "--scratch", agentScratch.toString()), context, folder, "strip");
    store.saveResult(job.id(), StepName.STRIP, JSON.readTree(report).toString());
    return Outcome.SUCCEEDED;
  }

  private Outcome bundle(Job job, Accounts accounts, StepContext context) throws IOException {
    JsonNode plan = plan(job);
    String bundleId = plan.path("bundleId").asText();
    Path scratch = jobFolder(job.id()).resolve("source.raw");
    Bundles bundles = bundles();
    if (bundles.store().getManifest(bundleId).isEmpty()) {
      BundleOptions options = BundleOptions.defaults().withChunkSize(settings.chunkSize()).withJournalEveryChunks(4)
          .withListener(context.listener());
      try (DiskImageReader reader = DiskImages.open(scratch, DiskFormat.RAW)) {
        bundles.bundle(bundleId, reader, new BundleManifest.Source(plan.path("sourcePlugin").asText(),
            job.sourceImageId(), plan.path("sourceVersion").asText(null)), options);
      }
    }
    String stripResult = store.result(job.id(), StepName.STRIP);
    JsonNode report = stripResult == null ? JsonNodeFactory.instance.objectNode() : JSON.readTree(stripResult);
    ObjectNode os = report.path("system").isObject() ? (ObjectNode) report.path("system").deepCopy()
        : JSON.createObjectNode();
    ObjectNode layer = JSON.createObjectNode();
    layer.put("cloud", plan.path("sourceLayer").asText(null));
    layer.set("stripReport", report);
    bundles.updateGuestFacts(bundleId, os, layer);
    if (plan.hasNonNull("sourceVersion")) {
      store.bundleReady(bundleId);
    }
    Files.deleteIfExists(scratch);
    return Outcome.SUCCEEDED;
  }

  // ------------------------------------------------------------------ PREPARE_TARGET, RESTORE, INJECT

  private Outcome prepareTarget(Job job, Accounts accounts, StepContext context) throws IOException {
    BundleManifest manifest = bundles().manifest(plan(job).path("bundleId").asText());
    if (helperMode(job)) {
      helper.prepareTarget(job, accounts.targetPlugin(), plan(job), manifest, context);
      return Outcome.SUCCEEDED;
    }
    Path folder = Files.createDirectories(jobFolder(job.id()));
    long usable = Files.getFileStore(folder).getUsableSpace();
    if (usable < manifest.dataBytes()) {
      throw new FerryException(ErrorCode.NO_SPACE, "the work directory " + folder + " has " + usable
          + " bytes free; restoring bundle " + manifest.bundleId() + " needs " + manifest.dataBytes());
    }
    ObjectNode result = JSON.createObjectNode();
    result.put("mode", "direct");
    result.put("scratch", folder.resolve("target.raw").toString());
    result.put("virtualSize", manifest.disk().virtualSize());
    store.saveResult(job.id(), StepName.PREPARE_TARGET, result.toString());
    return Outcome.SUCCEEDED;
  }

  private Outcome restore(Job job, StepContext context) throws IOException {
    if (helperMode(job)) {
      helper.restore(job, plan(job), context);
      return Outcome.SUCCEEDED;
    }
    Path target = jobFolder(job.id()).resolve("target.raw");
    if (Files.exists(target)) {
      return Outcome.SUCCEEDED; // an earlier run finished (restoreToFile renames only when complete)
    }
    RestoreOptions options = RestoreOptions.defaults().withCheckpointEveryChunks(4).withListener(context.listener());
    bundles().restoreToFile(plan(job).path("bundleId").asText(), target, options);
    return Outcome.SUCCEEDED;
  }

  private Outcome inject(Job job, Accounts accounts, StepContext context) throws IOException {
    String layer = accounts.target().layer();
    if (layer == null) {
      store.saveResult(job.id(), StepName.INJECT, "{\"skipped\":\"the target account names no cloud layer\"}");
      return Outcome.SKIPPED;
    }
    if (helperMode(job)) {
      helper.inject(job, layer, context);
      return Outcome.SUCCEEDED;
    }
    Path folder = jobFolder(job.id());
    Path agentScratch = releaseLeftovers(job, folder);
    String report = agent.run(List.of("inject", "--image", folder.resolve("target.raw").toString(), "--target", layer,
        "--output", "json", "--scratch", agentScratch.toString()), context, folder, "inject");
    store.saveResult(job.id(), StepName.INJECT, JSON.readTree(report).toString());
    return Outcome.SUCCEEDED;
  }

  // ------------------------------------------------------------------ UPLOAD, REGISTER, VERIFY

  private Outcome upload(Job job, Accounts accounts, StepContext context) throws IOException {
    if (helperMode(job)) {
      helper.detach(job, accounts.targetPlugin(), context);
      return Outcome.SUCCEEDED;
    }
    JsonNode plan = plan(job);
    BundleManifest manifest = bundles().manifest(plan.path("bundleId").asText());
    Path target = jobFolder(job.id()).resolve("target.raw");
    UploadSpec spec = new UploadSpec(imageName(job, plan), manifest.disk().virtualSize(), bootMode(manifest, plan),
        architecture(plan, manifest));
    try (DirectUpload upload = accounts.targetPlugin().openDirectUpload(spec, new JobTag(job.id()));
        DiskImageReader reader = DiskImages.open(target, DiskFormat.RAW)) {
      String digest = DiskStreams.upload(reader, upload.writer(), context);
      store.setJobColumn(job.id(), "upload_id", upload.uploadId());
      store.setJobColumn(job.id(), "disk_digest", digest);
      store.saveResult(job.id(), StepName.UPLOAD,
          JSON.createObjectNode().put("uploadId", upload.uploadId()).put("sha256", digest).toString());
    }
    return Outcome.SUCCEEDED;
  }

  private Outcome register(Job job, Accounts accounts, StepContext context) throws IOException {
    JsonNode plan = plan(job);
    BundleManifest manifest = bundles().manifest(plan.path("bundleId").asText());
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("ferry:source-account", job.sourceAccountId());
    tags.put("ferry:source-image", job.sourceImageId());
    tags.put("ferry:bundle", manifest.bundleId());
    tags.put("ferry:sha256", job.diskDigest());
    RegisteredImage image = accounts.targetPlugin().registerImage(new RegisterRequest(imageName(job, plan),
        "Migrated by Ferry job " + job.id() + " from " + job.sourceImageId(), job.uploadId(), bootMode(manifest, plan),
        architecture(plan, manifest), false, plan.path("osName").asText(null), accounts.target().layer(), new JobTag(job.id()),
        tags));
    store.setJobColumn(job.id(), "result_image_id", image.imageId());
    store.setJobColumn(job.id(), "result_location", image.location());
    store.saveResult(job.id(), StepName.REGISTER,
        JSON.createObjectNode().put("imageId", image.imageId()).put("location", image.location()).toString());
    return Outcome.SUCCEEDED;
  }

  private Outcome verify(Job job, Accounts accounts, StepContext context) throws IOException {
    DiskImageReader reader;
    try {
      reader = accounts.targetPlugin().openImage(job.resultImageId(), new JobTag(job.id()));
    } catch (FerryException e) {
      if (e.code() != ErrorCode.UNSUPPORTED) {
        throw e;
      }
      store.saveResult(job.id(), StepName.VERIFY, "{\"skipped\":\"the target plugin cannot read images back\"}");
      return Outcome.SKIPPED;
    }
    long expectedSize = bundles().manifest(plan(job).path("bundleId").asText()).disk().virtualSize();
    try (reader) {
      long actualSize = reader.virtualSize();
      if (actualSize < expectedSize) {
        throw new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED, "the registered image " + job.resultImageId()
            + " reads back with " + actualSize + " bytes, the uploaded disk had " + expectedSize);
      }
      // Clouds round disks up (AWS to whole GiB, Azure to whole MiB): the padding must read as zeros.
      DiskStreams.Digest digest = DiskStreams.digest(reader, expectedSize, context);
      ObjectNode result = JSON.createObjectNode().put("expected", job.diskDigest()).put("actual", digest.sha256())
          .put("format", reader.format().id()).put("virtualSize", expectedSize)
          .put("paddingBytes", actualSize - expectedSize);
      store.saveResult(job.id(), StepName.VERIFY, result.toString());
      if (digest.firstNonZeroPadding() >= 0) {
        throw new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED, "the registered image " + job.resultImageId()
            + " is " + actualSize + " bytes and holds data at offset " + digest.firstNonZeroPadding()
            + ", past the uploaded disk's " + expectedSize + " bytes");
      }
      if (!digest.sha256().equals(job.diskDigest())) {
        throw new FerryException(ErrorCode.INTEGRITY_CHECK_FAILED, "the registered image " + job.resultImageId()
            + " reads back with SHA-256 " + digest.sha256() + ", the uploaded disk had " + job.diskDigest());
      }
      bootCheck(job, accounts, result);
    }
    return Outcome.SUCCEEDED;
  }

  /**
   * After the digest matched, when the job's option {@code bootCheck} is {@code true}: boots the
   * registered image once where the target plugin declares BOOT_VERIFY (time limit: the option
   * {@code bootCheckTimeoutSeconds}, default 600), records what was seen under {@code boot} in the
   * result, and fails the step (BOOT_CHECK_FAILED, not retried) with the console's tail when it
   * did not come up.
   */
  private void bootCheck(Job job, Accounts accounts, ObjectNode result) throws IOException {
    JsonNode options = JSON.readTree(job.options());
    if (!"true".equalsIgnoreCase(options.path("bootCheck").asText("false").strip())) {
      return;
    }
    String plugin = accounts.target().pluginId();
    if (!plugins.factory(plugin).capabilities().contains(Capability.BOOT_VERIFY)) {
      result.putObject("boot").put("skipped", "plugin " + plugin + " cannot boot images");
      store.saveResult(job.id(), StepName.VERIFY, result.toString());
      return;
    }
    Duration timeout = Duration.ofSeconds(
        positiveSeconds(options.path("bootCheckTimeoutSeconds").asText(""), DEFAULT_BOOT_CHECK_TIMEOUT_SECONDS));
    BootCheck check = accounts.targetPlugin().bootImage(job.resultImageId(), new JobTag(job.id()), timeout);
    ObjectNode boot = result.putObject("boot").put("booted", check.booted()).put("signal", check.signal())
        .put("seconds", check.elapsed().toMillis() / 1000.0).put("detail", check.detail());
    boot.set("consoleTail", JSON.valueToTree(check.consoleTail()));
    store.saveResult(job.id(), StepName.VERIFY, result.toString());
    if (!check.booted()) {
      List<String> tail = check.consoleTail();
      throw new FerryException(ErrorCode.BOOT_CHECK_FAILED, "the registered image " + job.resultImageId()
          + " did not boot (" + check.detail() + (check.signal() == null ? "" : ": " + check.signal())
          + "); the console's last lines:\n" + String.join("\n", tail.subList(Math.max(0, tail.size() - 15), tail.size())));
    }
  }

  private static long positiveSeconds(String value, long fallback) {
    if (value.isBlank()) {
      return fallback;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds > 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // the error below
    }
    throw new FerryException(ErrorCode.INVALID_REQUEST, "the option bootCheckTimeoutSeconds must be a positive number: " + value);
  }

  // ------------------------------------------------------------------ CLEANUP

  private Outcome cleanup(Job job, Accounts accounts, StepContext context) throws IOException {
    Path folder = jobFolder(job.id());
    int agents = HostCleanup.killAgents(job.id());
    int tokens = helper.revoke(job);
    HostCleanup.releaseMountsAndLoops(folder);
    boolean succeeded = job.errorCode() == null && !job.cancelRequested() && job.resultImageId() != null;
    List<String> keep = succeeded ? List.of(job.resultImageId()) : List.of();
    List<String> deleted = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    JobTag tag = new JobTag(job.id());
    CleanupReport target = accounts.targetPlugin().deleteTagged(tag, keep);
    deleted.addAll(target.deleted());
    failed.addAll(target.failed());
    if (!job.sourceAccountId().equals(job.targetAccountId())) {
      // Two accounts may be views of one place (a vSphere library, a folder): the source's cleanup
      // keeps the registered image too.
      CleanupReport source = accounts.sourcePlugin().deleteTagged(tag, keep);
      deleted.addAll(source.deleted());
      failed.addAll(source.failed());
    }
    HostCleanup.deleteRecursively(folder);
    ObjectNode result = JSON.createObjectNode();
    result.put("agentProcessesKilled", agents);
    result.put("agentTokensRevoked", tokens);
    result.set("deleted", JSON.valueToTree(deleted));
    result.set("failed", JSON.valueToTree(failed));
    result.set("kept", JSON.valueToTree(keep));
    store.saveResult(job.id(), StepName.CLEANUP, result.toString());
    if (!failed.isEmpty()) {
      throw new FerryException(ErrorCode.IO_ERROR, "cleanup left resources behind: " + failed);
    }
    return Outcome.SUCCEEDED;
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Before an agent step: kills an agent a dead worker left running on this job (it would still
   * hold the scratch disk mounted), releases its mounts and loop devices, and returns an empty
   * agent scratch folder.
   */
  private static Path releaseLeftovers(Job job, Path folder) throws IOException {
    HostCleanup.killAgents(job.id());
    HostCleanup.releaseMountsAndLoops(folder);
    Path agentScratch = folder.resolve("agent");
    HostCleanup.deleteRecursively(agentScratch);
    return Files.createDirectories(agentScratch);
  }

  private boolean helperMode(Job job) throws IOException {
    return "helper".equals(plan(job).path("mode").asText());
  }

  private Bundles bundles() {
    return new Bundles(settings.store(), clock);
  }

  private JsonNode plan(Job job) throws IOException {
    String plan = store.result(job.id(), StepName.PLAN);
    if (plan == null) {
      throw new FerryException(ErrorCode.INTERNAL, "job " + job.id() + " has no plan");
    }
    return JSON.readTree(plan);
  }

  /**
   * The new image's name: the option {@code name} (or {@code targetImageName}, as the dashboard,
   * the CLI and triggers send it), else the source image's name, target layer and job id.
   */
  private static String imageName(Job job, JsonNode plan) throws IOException {
    JsonNode options = JSON.readTree(job.options());
    String name = options.path("name").asText("");
    if (name.isBlank()) {
      name = options.path("targetImageName").asText("");
    }
    if (!name.isBlank()) {
      return name;
    }
    String base = plan.path("imageName").asText(job.sourceImageId());
    int dot = base.indexOf('.');
    if (dot > 0) {
      base = base.substring(0, dot);
    }
    String layer = plan.path("targetLayer").asText("");
    return base + (layer.isEmpty() ? "" : "-" + layer) + "-" + safeName(job.id()).substring(0, Math.min(8, job.id().length()));
  }

  private static BootMode bootMode(BundleManifest manifest, JsonNode plan) {
    if (manifest.bootMode() != null && manifest.bootMode() != BootMode.UNKNOWN) {
      return manifest.bootMode();
    }
    String fromPlan = plan.path("bootMode").asText(null);
    return fromPlan == null ? BootMode.UNKNOWN : BootMode.valueOf(fromPlan);
  }

  /**
   * The source image's architecture as its cloud describes it, else what the guest agent found in
   * the disk's binaries (the manifest's OS facts).
   */
  static Architecture architecture(JsonNode plan, BundleManifest manifest) {
    String name = plan.path("architecture").asText(null);
    Architecture described = name == null ? Architecture.UNKNOWN : Architecture.valueOf(name);
    if (described != Architecture.UNKNOWN) {
      return described;
    }
    return switch (manifest.os().path("architecture").asText("")) {
      case "x86_64" -> Architecture.X86_64;
      case "arm64" -> Architecture.ARM64;
      default -> Architecture.UNKNOWN;
    };
  }

  private static void require(CloudPluginFactory factory, Capability capability, String what) {
    if (!factory.capabilities().contains(capability)) {
      throw new FerryException(ErrorCode.UNSUPPORTED, "plugin " + factory.id() + " cannot " + what);
    }
  }

  static String safeName(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The job's two accounts and, created on first use, their plugins; closed after the step. */
  private final class Accounts implements AutoCloseable {
    private final Job job;
    private ResolvedAccount source;
    private ResolvedAccount target;
    private CloudPlugin sourcePlugin;
    private CloudPlugin targetPlugin;

    Accounts(Job job) {
      this.job = job;
    }

    ResolvedAccount source() {
      if (source == null) {
        source = resolver.resolve(job.sourceAccountId());
      }
      return source;
    }

    ResolvedAccount target() {
      if (target == null) {
        target = resolver.resolve(job.targetAccountId());
      }
      return target;
    }

    CloudPlugin sourcePlugin() {
      if (sourcePlugin == null) {
        sourcePlugin = create(source());
      }
      return sourcePlugin;
    }

    CloudPlugin targetPlugin() {
      if (targetPlugin == null) {
        targetPlugin = create(target());
      }
      return targetPlugin;
    }

    private CloudPlugin create(ResolvedAccount account) {
      Path scratch = jobFolder(job.id()).resolve("plugin");
      PluginContext context = new PluginContext() {
        @Override
        public Clock clock() {
          return clock;
        }

        @Override
        public Path scratchDirectory() {
          return scratch;
        }
      };
      return plugins.factory(account.pluginId()).create(account.config(), context);
    }

    @Override
    public void close() {
      if (sourcePlugin != null) {
        sourcePlugin.close();
      }
      if (targetPlugin != null) {
        targetPlugin.close();
      }
    }
  }
}
