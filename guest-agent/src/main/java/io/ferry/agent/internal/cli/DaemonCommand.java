package io.ferry.agent.internal.cli;

import io.ferry.agent.daemon.DaemonClient;
import io.ferry.agent.daemon.HttpBundleStore;
import io.ferry.agent.daemon.Instruction;
import io.ferry.agent.layer.AgentOptions;
import io.ferry.agent.layer.LayerAgent;
import io.ferry.agent.offline.OfflineImage;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.CloudLayerCatalogue;
import io.ferry.standardization.bundle.Bundles;
import io.ferry.standardization.bundle.ChunkStore;
import io.ferry.standardization.bundle.RestoreOptions;
import io.ferry.standardization.bundle.RestoreResult;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry-agent daemon --control-plane URL --job ID --token T}. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = "Helper mode: fetch a job's instructions from the control plane, run them, report progress.")
public final class DaemonCommand implements Callable<Integer> {

  @Option(names = "--control-plane", required = true, paramLabel = "URL") URI controlPlane;

  @Option(names = "--job", required = true, paramLabel = "JOB-ID") String jobId;

  @Option(names = "--token", paramLabel = "TOKEN", description = "The job-scoped token (or FERRY_AGENT_TOKEN in the environment).")
  String token;

  @Option(names = "--poll-seconds", defaultValue = "5") long pollSeconds;

  @Override
  public Integer call() throws Exception {
    String secret = token != null ? token : System.getenv("FERRY_AGENT_TOKEN");
    if (secret == null || secret.isBlank()) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "give the job token with --token or FERRY_AGENT_TOKEN");
    }
    LayerAgent agent = new LayerAgent(CloudLayerCatalogue.builtIn(), Clock.systemUTC());
    DaemonClient client = new DaemonClient(controlPlane, jobId, secret, (DaemonClient.ProgressRunner) (instruction,
        progress) -> switch (String.valueOf(instruction.operation())) {
          case "restore" -> restore(new HttpBundleStore(controlPlane, jobId, secret, instruction.bundleId()),
              instruction, stateFolder(jobId), progress);
          case "digest" -> digest(instruction, progress);
          default -> run(agent, instruction);
        }, duration -> Thread.sleep(duration.toMillis()), Duration.ofSeconds(pollSeconds));
    int count = client.run();
    System.out.println("job " + jobId + " done: " + count + " instruction(s) run");
    return 0;
  }

  /** Where a restore keeps its progress, so that a rerun after a crash of the helper resumes. */
  private static Path stateFolder(String jobId) {
    return Path.of(System.getProperty("java.io.tmpdir"), "ferry-agent-restore-" + jobId.replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  /**
   * Restores the instruction's bundle from {@code store} onto its device (or file) in place: every
   * chunk re-hashed, unwritten ranges left as they are (a new volume reads zeros), the whole-disk
   * digest checked, resumable from {@code stateFolder}.
   */
  public static Map<String, Object> restore(ChunkStore store, Instruction instruction, Path stateFolder,
      DaemonClient.Progress progress) throws Exception {
    if (instruction.image() == null || instruction.bundleId() == null) {
      throw new FerryException(ErrorCode.INVALID_REQUEST,
          "restore instruction " + instruction.id() + " needs image (the device) and bundleId");
    }
    Path device = Path.of(instruction.image());
    if (!Files.exists(device)) {
      throw new FerryException(ErrorCode.NOT_FOUND, "the restore target " + device + " does not exist");
    }
    RestoreOptions options = RestoreOptions.defaults().withCheckpointEveryChunks(4)
        .withListener((done, total) -> progress.update(done, total, "restored " + done + " of " + total + " bytes"));
    RestoreResult result = new Bundles(store, Clock.systemUTC())
        .restoreToBlockDevice(instruction.bundleId(), device, true, stateFolder, options);
    try {
      Files.deleteIfExists(stateFolder); // empty once the restore finished
    } catch (java.nio.file.DirectoryNotEmptyException kept) {
      // progress of another device's restore
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("bundleId", result.bundleId());
    report.put("device", device.toString());
    report.put("bytesWritten", result.bytesWritten());
    report.put("chunksWritten", result.chunksWritten());
    report.put("resumedFrom", result.resumedFrom());
    report.put("durationMillis", result.duration().toMillis());
    return report;
  }

  /** The SHA-256 of the first {@code size} bytes of the instruction's device or file (all of it without size). */
  public static Map<String, Object> digest(Instruction instruction, DaemonClient.Progress progress) throws Exception {
    if (instruction.image() == null) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "digest instruction " + instruction.id() + " needs image");
    }
    Path device = Path.of(instruction.image());
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    long hashed = 0;
    try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
      long size = instruction.size() != null ? instruction.size() : channel.size();
      ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
      while (hashed < size) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), size - hashed));
        int read = channel.read(buffer, hashed);
        if (read < 0) {
          throw new FerryException(ErrorCode.IMAGE_CORRUPT,
              device + " ends after " + hashed + " bytes, " + size + " were to be hashed");
        }
        sha256.update(buffer.array(), 0, read);
        hashed += read;
        progress.update(hashed, size, "hashed " + hashed + " of " + size + " bytes");
      }
    } catch (NoSuchFileException e) {
      throw new FerryException(ErrorCode.NOT_FOUND, "the digest target " + device + " does not exist");
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("device", device.toString());
    report.put("bytes", hashed);
    report.put("sha256", HexFormat.of().formatHex(sha256.digest()));
    return report;
  }

  /** Runs one instruction on its root directory or mounted image. */
  public static Object run(LayerAgent agent, Instruction instruction) throws Exception {
    if (instruction.root() != null) {
      return run(agent, Path.of(instruction.root()), instruction, new AgentOptions(instruction.dryRun(), false, Map.of(), Map.of()));
    }
    if (instruction.image() != null) {
      boolean readOnly = instruction.dryRun() || "detect".equals(instruction.operation());
      // As the inject command with --image: separate /boot and ESP mounted, initramfs and grub.cfg
      // regenerated with the guest's tools when the run changed their configuration.
      return new OfflineImage(Path.of(instruction.image()), instruction.partition(), Path.of(System.getProperty("java.io.tmpdir")))
          .runMounted(readOnly, mounted -> run(agent, mounted.root(), instruction, new AgentOptions(instruction.dryRun(),
              false, Map.of(), mounted.partitionUuids(), !readOnly, mounted.notes())));
    }
    throw new FerryException(ErrorCode.INVALID_REQUEST, "instruction " + instruction.id() + " names neither root nor image");
  }

  private static Object run(LayerAgent agent, Path root, Instruction instruction, AgentOptions options) {
    return switch (String.valueOf(instruction.operation())) {
      case "detect" -> agent.detect(root, false);
      case "strip" -> agent.strip(root, instruction.cloud(), options);
      case "inject" -> agent.inject(root, instruction.cloud(), options);
      case "undo" -> agent.undo(root, instruction.runId(), instruction.dryRun());
      default -> throw new FerryException(ErrorCode.INVALID_REQUEST,
          "unknown operation '" + instruction.operation() + "' in instruction " + instruction.id());
    };
  }
}
