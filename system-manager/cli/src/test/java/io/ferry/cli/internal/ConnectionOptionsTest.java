package io.ferry.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionOptionsTest {

  @TempDir Path home;

  private Terminal terminal(Map<String, String> environment) {
    return new Terminal(environment, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false,
        duration -> {});
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverTheSavedLogin() throws Exception {
    Path config = home.resolve("config");
    Files.writeString(config, "url=http\\://saved\\:1/\ntoken=saved-token\n");
    ConnectionOptions options = new ConnectionOptions();
    Terminal saved = terminal(Map.of("FERRY_CONFIG", config.toString()));
    assertThat(options.resolvedUrl(saved)).isEqualTo("http://saved:1/");
    assertThat(options.resolvedToken(saved)).isEqualTo("saved-token");
    Terminal environment = terminal(Map.of("FERRY_CONFIG", config.toString(), "FERRY_URL", "http://env:2", "FERRY_TOKEN", "env-token"));
    assertThat(options.resolvedUrl(environment)).isEqualTo("http://env:2");
    assertThat(options.resolvedToken(environment)).isEqualTo("env-token");
    options.url = "http://flag:3";
    options.token = "flag-token";
    assertThat(options.resolvedUrl(environment)).isEqualTo("http://flag:3");
    assertThat(options.client(environment, new ObjectMapper()).base().toString()).isEqualTo("http://flag:3/");
  }

  @Test
  void missingUrlOrTokenIsAUsageErrorSayingHowToSetIt() {
    Terminal empty = terminal(Map.of("FERRY_CONFIG", home.resolve("none").toString()));
    assertThatThrownBy(() -> new ConnectionOptions().client(empty, new ObjectMapper()))
        .isInstanceOf(CliException.class).hasMessageContaining("FERRY_URL")
        .extracting(failure -> ((CliException) failure).exitCode()).isEqualTo(ExitCode.USAGE);
    Terminal urlOnly = terminal(Map.of("FERRY_CONFIG", home.resolve("none").toString(), "FERRY_URL", "http://x"));
    assertThatThrownBy(() -> new ConnectionOptions().client(urlOnly, new ObjectMapper()))
        .isInstanceOf(CliException.class).hasMessageContaining("FERRY_TOKEN");
  }

  @Test
  void urlsMustBeHttp() {
    assertThatThrownBy(() -> ConnectionOptions.parseUrl("ftp://x")).isInstanceOf(CliException.class)
        .hasMessageContaining("not an http(s) URL");
    assertThatThrownBy(() -> ConnectionOptions.parseUrl("localhost:8080")).isInstanceOf(CliException.class);
    assertThat(ConnectionOptions.parseUrl("https://ferry.example.com/base").toString()).isEqualTo("https://ferry.example.com/base/");
  }

  @Test
  void configFileFollowsXdgAndHome() {
    assertThat(terminal(Map.of("XDG_CONFIG_HOME", "/x")).configFile()).isEqualTo(Path.of("/x/ferry/config"));
    assertThat(terminal(Map.of("HOME", "/home/u")).configFile()).isEqualTo(Path.of("/home/u/.config/ferry/config"));
  }
}
