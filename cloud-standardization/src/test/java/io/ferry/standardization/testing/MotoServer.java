package io.ferry.standardization.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A moto server (PyPI {@code moto[server]}, installed into {@code .ferry/venv} by scripts/test.sh)
 * on a free loopback port, for every test that needs a real S3, EC2 or EBS API. It runs through
 * {@code faithful_moto.py} (beside this class): moto with RegisterImage keeping what real EC2 keeps
 * (block device mappings, architecture, boot mode, tags) and AWS's snapshot block size; everything
 * else is plain moto. Shared through cloud-standardization's test jar.
 */
public final class MotoServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The moto_server executable on PATH or in the project's .ferry/venv, if installed. */
  public static Optional<Path> executable() {
    List<Path> candidates = new ArrayList<>();
    for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!folder.isEmpty()) {
        candidates.add(Path.of(folder, "moto_server"));
      }
    }
    for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
      candidates.add(folder.resolve(".ferry/venv/bin/moto_server"));
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts moto on a free port of 127.0.0.1, its script and log in {@code folder}, with {@code
   * environment} added (for example {@code INITIAL_NO_AUTH_ACTION_COUNT}, or {@code
   * FERRY_MOTO_BLOCK_SIZE}), and waits until it accepts connections.
   */
  public static MotoServer start(Path folder, Map<String, String> environment) throws IOException, InterruptedException {
    Path executable = executable().orElseThrow(() -> new IOException("moto_server is not installed (run scripts/test.sh)"));
    Files.createDirectories(folder);
    Path script = folder.resolve("faithful_moto.py");
    try (InputStream in = MotoServer.class.getResourceAsStream("faithful_moto.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    Path log = folder.resolve("moto.log");
    int port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(interpreterOf(executable), script.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    MotoServer server = new MotoServer(builder.start(), port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!accepting(port)) {
      if (!server.process.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IOException("moto did not start on port " + port + ": " + Files.readString(log));
      }
      Thread.sleep(100); // waiting for another process to listen; no clock involved
    }
    return server;
  }

  /** The server's endpoint, {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** A free TCP port on the loopback interface. */
  public static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /** Whether something accepts connections on the loopback port. */
  public static boolean accepting(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The Python that runs moto_server: its shebang's, else the python beside it. */
  private static String interpreterOf(Path executable) throws IOException {
    String firstLine;
    try (var reader = Files.newBufferedReader(executable)) {
      firstLine = reader.readLine();
    } catch (MalformedInputException binary) {
      firstLine = null;
    }
    if (firstLine != null && firstLine.startsWith("#!") && !firstLine.contains(" ")) {
      return firstLine.substring(2).trim();
    }
    Path beside = executable.resolveSibling("python");
    return Files.isExecutable(beside) ? beside.toString() : "python3";
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
