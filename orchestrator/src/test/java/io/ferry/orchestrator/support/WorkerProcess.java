package io.ferry.orchestrator.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.orchestrator.WorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A {@link WorkerMain} in a separate JVM, with this JVM's class path. */
public final class WorkerProcess implements AutoCloseable {

  private final Process process;
  private final String name;

  private WorkerProcess(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  /**
   * Starts a worker.
   *
   * @param environment extra environment (test pauses)
   */
  public static WorkerProcess start(String name, String databaseUrl, Path accounts, Path workDirectory, Path store,
      int threads, Path log, Map<String, String> environment) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(WorkerMain.class.getName());
    command.add("--db-url=" + databaseUrl);
    command.add("--agent-jar=" + Fixtures.agentJar());
    command.add("--accounts=" + accounts);
    command.add("--work-dir=" + workDirectory);
    command.add("--store=" + store);
    command.add("--threads=" + threads);
    command.add("--name=" + name);
    command.add("--polling-ms=200");
    command.add("--heartbeat-ms=2000");
    command.add("--missed-heartbeats=6");
    command.add("--chunk-size=1048576");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    return new WorkerProcess(builder.start(), name);
  }

  /** Writes the accounts file WorkerMain reads: local accounts by id (directory, format, layer). */
  public static Path accountsFile(Path file, Map<String, String[]> accounts) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    for (Map.Entry<String, String[]> entry : accounts.entrySet()) {
      String[] account = entry.getValue(); // directory, format, layer
      Files.createDirectories(Path.of(account[0]).resolve("images"));
      ObjectNode node = root.putObject(entry.getKey());
      node.put("plugin", "local");
      node.put("layer", account[2]);
      node.putObject("settings").put("directory", account[0]).put("format", account[1]).put("layer", account[2]);
    }
    Files.write(file, json.writeValueAsBytes(root));
    return file;
  }

  public String name() {
    return name;
  }

  /** SIGKILL, then waits for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
