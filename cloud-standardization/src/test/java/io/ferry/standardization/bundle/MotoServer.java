package io.ferry.standardization.bundle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A moto server (PyPI {@code moto[server]}, installed into {@code .ferry/venv} by
 * scripts/test.sh) on a free loopback port: a real S3 API for the S3 store tests.
 */
final class MotoServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The moto_server executable on PATH or in the project's .ferry/venv, if installed. */
  static Optional<Path> executable() {
    List<Path> candidates = new ArrayList<>();
    for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!folder.isEmpty()) {
        candidates.add(Path.of(folder, "moto_server"));
      }
    }
    Path here = Path.of("").toAbsolutePath();
    for (Path folder = here; folder != null; folder = folder.getParent()) {
      candidates.add(folder.resolve(".ferry/venv/bin/moto_server"));
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** Starts moto on a free port of 127.0.0.1 and waits until it accepts connections. */
  static MotoServer start(Path executable, Path log) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Process process = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    MotoServer server = new MotoServer(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!server.accepting()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IOException("moto_server did not start on port " + port + ": " + Files.readString(log));
      }
      Thread.sleep(100); // waiting for another process to listen; no clock involved
    }
    return server;
  }

  /** The server's endpoint. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private boolean accepting() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
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
