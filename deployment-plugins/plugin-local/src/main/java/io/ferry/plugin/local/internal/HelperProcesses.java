package io.ferry.plugin.local.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.HelperSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local cloud's helpers: guest-agent processes ({@code java -jar <agent jar>}). Each carries
 * its helper id and its account's directory as system properties on its command line, so that
 * it can be found again from any process, also after the one that launched it crashed.
 */
public final class HelperProcesses {

  /** The system property naming a helper's id on its command line. */
  public static final String HELPER_ID_PROPERTY = "ferry.helper.id";

  /** The system property naming a helper's account directory on its command line. */
  public static final String ACCOUNT_PROPERTY = "ferry.helper.account";

  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  private final Path accountDirectory;

  public HelperProcesses(Path accountDirectory) {
    this.accountDirectory = accountDirectory;
  }

  /** The prefix of {@link HelperSpec#settings()} keys passed to the helper as environment. */
  public static final String ENVIRONMENT_PREFIX = "env.";

  /**
   * Starts a helper. Its arguments after {@code -jar <agent jar>} are the non-blank lines of
   * {@link HelperSpec#agentBootstrap()} (visible to every user of the machine, so never secrets);
   * each {@link HelperSpec#settings()} entry {@code env.NAME=value} becomes the environment
   * variable {@code NAME} (readable only by the helper's user: the place for a job token). Its
   * output goes to {@code log}.
   */
  public ProcessHandle launch(String helperId, String jobId, Path agentJar, HelperSpec spec, Path log)
      throws IOException {
    if (!Files.isRegularFile(agentJar)) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "local cloud: the guest agent jar " + agentJar + " does not exist");
    }
    Path scratch = Files.createDirectories(scratch(helperId));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + HELPER_ID_PROPERTY + "=" + helperId);
    command.add("-D" + ACCOUNT_PROPERTY + "=" + accountDirectory);
    command.add("-Djava.io.tmpdir=" + scratch);
    command.add("-jar");
    command.add(agentJar.toString());
    if (spec.agentBootstrap() != null) {
      spec.agentBootstrap().lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(command::add);
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    environment.put("FERRY_HELPER_ID", helperId);
    environment.put("FERRY_JOB_ID", jobId);
    environment.put("FERRY_ACCOUNT_DIRECTORY", accountDirectory.toString());
    if (spec.osFamily() != null) {
      environment.put("FERRY_OS_FAMILY", spec.osFamily());
    }
    spec.settings().forEach(
        (key, value) -> {
          if (key.startsWith(ENVIRONMENT_PREFIX) && key.length() > ENVIRONMENT_PREFIX.length()) {
            environment.put(key.substring(ENVIRONMENT_PREFIX.length()), value);
          }
        });
    builder.directory(accountDirectory.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return builder.start().toHandle();
  }

  /** A helper's temporary folder, {@code helpers/<id>.tmp}: its mount points and restore progress. */
  Path scratch(String helperId) {
    return new AccountLayout(accountDirectory).helperScratch(helperId);
  }

  /**
   * Removes a (killed) helper's temporary folder: first unmounts whatever it left mounted there,
   * so that nothing is deleted through a mount point, then deletes it without following links.
   * Returns whether it existed.
   */
  boolean removeScratch(String helperId) throws IOException {
    Path scratch = scratch(helperId);
    if (!Files.exists(scratch, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    LoopDevices.unmountUnder(scratch);
    Files.walkFileTree(scratch, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attributes)
          throws IOException {
        Files.deleteIfExists(file);
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
        Files.deleteIfExists(directory);
        return java.nio.file.FileVisitResult.CONTINUE;
      }
    });
    return true;
  }

  /** The live processes of helpers of this account whose id starts with {@code idPrefix}. */
  public List<ProcessHandle> find(String idPrefix) {
    String idArgument = "-D" + HELPER_ID_PROPERTY + "=" + idPrefix;
    String accountArgument = "-D" + ACCOUNT_PROPERTY + "=" + accountDirectory;
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(
            process -> {
              String[] arguments = process.info().arguments().orElse(new String[0]);
              boolean idMatches = false;
              boolean accountMatches = false;
              for (String argument : arguments) {
                idMatches |= argument.startsWith(idArgument);
                accountMatches |= argument.equals(accountArgument);
              }
              return idMatches && accountMatches;
            })
        .toList();
  }

  /** The helper id a helper process carries, or null. */
  public static String helperId(ProcessHandle process) {
    String prefix = "-D" + HELPER_ID_PROPERTY + "=";
    for (String argument : process.info().arguments().orElse(new String[0])) {
      if (argument.startsWith(prefix)) {
        return argument.substring(prefix.length());
      }
    }
    return null;
  }

  /** Kills {@code process} and all its descendants and waits until they are gone. */
  public static void kill(ProcessHandle process) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(0, process);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "local cloud: interrupted while killing helper process " + handle.pid());
      } catch (ExecutionException | TimeoutException e) {
        throw new FerryException(
            ErrorCode.HOST_OPERATION_FAILED, "local cloud: helper process " + handle.pid() + " did not exit within " + EXIT_WAIT, e);
      }
    }
  }
}
