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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + HELPER_ID_PROPERTY + "=" + helperId);
    command.add("-D" + ACCOUNT_PROPERTY + "=" + accountDirectory);
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
