package io.ferry.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FerryClientTest {

  private final FerryClient client = new FerryClient(URI.create("http://localhost:8080/"), "t", new ObjectMapper());

  @Test
  void wrongTokenHasItsOwnExitCodeAndSaysWhatToDo() {
    CliException failure = client.problem(401, "{\"detail\":\"authentication required\",\"code\":\"UNAUTHENTICATED\"}");
    assertThat(failure.exitCode()).isEqualTo(ExitCode.UNAUTHENTICATED);
    assertThat(failure.getMessage()).contains("refused the API token").contains("FERRY_TOKEN");
  }

  @Test
  void problemDetailsBecomeOneReadableLineWithTheFields() {
    CliException failure = client.problem(400, "{\"detail\":\"the request is invalid\",\"code\":\"VALIDATION_FAILED\","
        + "\"errors\":[{\"field\":\"sourceImageId\",\"message\":\"no such image\"}]}");
    assertThat(failure.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(failure.getMessage()).isEqualTo("the request is invalid (sourceImageId: no such image) [VALIDATION_FAILED]");
    assertThat(client.problem(403, "{\"detail\":\"operators only\"}").exitCode()).isEqualTo(ExitCode.FORBIDDEN);
  }

  @Test
  void serverFailuresAndNonJsonBodies() {
    CliException failure = client.problem(502, "<html>bad gateway</html>");
    assertThat(failure.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(failure.getMessage()).isEqualTo("the system manager failed (HTTP 502): HTTP 502");
    assertThat(client.problem(404, "").getMessage()).isEqualTo("HTTP 404");
  }

  @Test
  void queryStringsSkipEmptyValuesAndEncode() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("size", "20");
    query.put("state", null);
    query.put("name", "a b&c");
    assertThat(FerryClient.queryString(query)).isEqualTo("?size=20&name=a%20b%26c");
    assertThat(FerryClient.queryString(Map.of())).isEmpty();
  }
}
