package io.ferry.orchestrator.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the guest agent as a separate process ({@code java -jar ferry-agent.jar ...}): crash
 * isolation, and the root privileges it needs for loop devices and mounts stay out of the worker's
 * code. Its stdout (the JSON report) and stderr go to files in the job's folder.
 */
public final class AgentRunner {

  private static final Pattern ERROR_LINE = Pattern.compile("(?m)^error: ([A-Z_]+): (.*)$");

  private final Path agentJar;

  public AgentRunner(Path agentJar) {
    this.agentJar = agentJar;
  }

  /**
   * Runs the agent with {@code arguments} and returns its standard output. Between polls it checks
   * the step context; on cancel or timeout the agent is killed and its mounts and loop devices
   * under {@code jobFolder} are released before the exception propagates.
   */
  public String run(List<String> arguments, StepContext context, Path jobFolder, String name) throws IOException {
    if (!Files.isRegularFile(agentJar)) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "the guest agent jar " + agentJar + " does not exist");
    }
    Path output = jobFolder.resolve(name + ".out");
    Path errors = jobFolder.resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + HostCleanup.JOB_PROPERTY + "=" + context.jobId());
    command.add("-jar");
    command.add(agentJar.toString());
    command.addAll(arguments);
    Process process = new ProcessBuilder(command)
        .redirectOutput(output.toFile())
        .redirectError(errors.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .start();
    try {
      while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
        context.check();
      }
    } catch (RuntimeException | InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException again) {
        Thread.currentThread().interrupt();
      }
      HostCleanup.releaseMountsAndLoops(jobFolder);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "interrupted while the guest agent ran", e);
      }
      throw (RuntimeException) e;
    }
    int status = process.exitValue();
    String standardOutput = Files.readString(output, StandardCharsets.UTF_8);
    String standardError = Files.readString(errors, StandardCharsets.UTF_8);
    if (status == 0) {
      return standardOutput;
    }
    Matcher matcher = ERROR_LINE.matcher(standardError);
    if (status == 2 && matcher.find()) {
      ErrorCode code;
      try {
        code = ErrorCode.valueOf(matcher.group(1));
      } catch (IllegalArgumentException unknown) {
        code = ErrorCode.INTERNAL;
      }
      throw new FerryException(code, "guest agent " + name + ": " + matcher.group(2));
    }
    if (status == 3) {
      throw new FerryException(ErrorCode.OS_UNSUPPORTED, "guest agent " + name + ": " + tail(standardError));
    }
    if (status > 128) {
      throw new FerryException(ErrorCode.IO_ERROR,
          "guest agent " + name + " was killed by signal " + (status - 128) + ": " + tail(standardError));
    }
    throw new FerryException(ErrorCode.INTERNAL,
        "guest agent " + name + " exited with status " + status + ": " + tail(standardError));
  }

  private static String tail(String text) {
    String trimmed = text.strip();
    return trimmed.length() <= 1000 ? trimmed : "..." + trimmed.substring(trimmed.length() - 1000);
  }
}
