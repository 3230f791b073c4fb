package io.ferry.plugin.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.UploadSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWS's own error documents (STS and EC2 query XML, EBS JSON with {@code x-amzn-ErrorType}) from
 * a tiny HTTP server on loopback, for the cases moto cannot produce: each becomes the right
 * {@link ErrorCode}, and throttled EBS block writes are retried until they succeed.
 */
class AwsErrorResponsesIT {

  private static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

  /** A canned answer. */
  private record Answer(int status, String contentType, Map<String, String> headers, String body) {}

  @TempDir Path folder;

  private HttpServer server;
  private final Map<String, Deque<Answer>> answers = new HashMap<>();
  private final List<String> received = new ArrayList<>();
  private final java.util.Set<String> repeating = new java.util.HashSet<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void stsRefusingTheKeyIsAnAuthenticationFailure() {
    answer("GetCallerIdentity", 403, "text/xml",
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
            + "<Message>The security token included in the request is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>");
    try (CloudPlugin plugin = plugin()) {
      FerryException failure = catchThrowableOfType(FerryException.class, plugin::validate);
      assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
      assertThat(failure.getMessage()).contains("InvalidClientTokenId");
    }
  }

  @Test
  void ec2ErrorsMapToPermissionQuotaNotFoundAndUnavailable() {
    answer("DescribeImages", 403, "text/xml", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    answer("RunInstances", 400, "text/xml", ec2Error("InstanceLimitExceeded", "You have requested more instances than your current instance limit allows."));
    try (CloudPlugin plugin = plugin()) {
      assertThat(codeOf(plugin::listImages)).isEqualTo(ErrorCode.CLOUD_PERMISSION_DENIED);
      assertThat(codeOf(() -> plugin.launchHelper(new HelperSpec("debian", Architecture.X86_64, "#!/bin/sh", Map.of()), new JobTag("j"))))
          .isEqualTo(ErrorCode.CLOUD_QUOTA_EXCEEDED);
      answer("DescribeImages", 400, "text/xml", ec2Error("InvalidAMIID.NotFound", "The image id '[ami-0abc]' does not exist"));
      assertThat(codeOf(() -> plugin.describeImage("ami-0abc"))).isEqualTo(ErrorCode.NOT_FOUND);
      for (int attempt = 0; attempt < 3; attempt++) {
        answer("DescribeImages", 500, "text/xml", ec2Error("InternalError", "An internal error has occurred."));
      }
      FerryException unavailable = catchThrowableOfType(FerryException.class, plugin::listImages);
      assertThat(unavailable.code()).isEqualTo(ErrorCode.CLOUD_UNAVAILABLE);
      assertThat(unavailable.retryable()).isTrue();
    }
  }

  @Test
  void ebsErrorsAreMappedAndThrottledBlocksAreRetried() throws Exception {
    answer("POST /snapshots", 403, "application/json", Map.of("x-amzn-ErrorType", "AccessDeniedException"),
        "{\"message\":\"User is not authorized to perform ebs:StartSnapshot\",\"Reason\":\"UNAUTHORIZED_ACCOUNT\"}");
    try (CloudPlugin plugin = plugin()) {
      UploadSpec spec = new UploadSpec("e", 1 << 20, BootMode.UEFI, Architecture.X86_64);
      assertThat(codeOf(() -> plugin.openDirectUpload(spec, new JobTag("j")))).isEqualTo(ErrorCode.CLOUD_PERMISSION_DENIED);

      answer("POST /snapshots", 201, "application/json",
          "{\"SnapshotId\":\"snap-0123\",\"BlockSize\":524288,\"VolumeSize\":1,\"Status\":\"pending\"}");
      for (int attempt = 0; attempt < 2; attempt++) {
        answer("PUT /snapshots/snap-0123/blocks/0", 400, "application/json", Map.of("x-amzn-ErrorType", "RequestThrottledException"),
            "{\"message\":\"Rate exceeded\",\"Reason\":\"ACCOUNT_THROTTLED\"}");
      }
      answer("PUT /snapshots/snap-0123/blocks/0", 201, "application/json", Map.of("x-amz-Checksum-Algorithm", "SHA256"), "");
      answer("POST /snapshots/completion/snap-0123", 202, "application/json", "{\"Status\":\"completed\"}");
      answer("DescribeSnapshots", 200, "text/xml",
          "<DescribeSnapshotsResponse xmlns=\"" + EC2_NS + "\"><requestId>r</requestId><snapshotSet><item>"
              + "<snapshotId>snap-0123</snapshotId><status>completed</status><volumeSize>1</volumeSize></item></snapshotSet></DescribeSnapshotsResponse>");
      try (DirectUpload upload = plugin.openDirectUpload(spec, new JobTag("j"))) {
        upload.writer().write(0, ByteBuffer.wrap("boot sector".getBytes(StandardCharsets.UTF_8)));
        upload.writer().finish();
        assertThat(upload.uploadId()).isEqualTo("snap-0123");
      }
      assertThat(received.stream().filter(request -> request.equals("PUT /snapshots/snap-0123/blocks/0"))).hasSize(3);
      assertThat(received).contains("POST /snapshots/completion/snap-0123");
    }
  }

  private CloudPlugin plugin() {
    CloudAccountConfig config =
        new CloudAccountConfig(
            "fake", "us-east-1", "http://127.0.0.1:" + server.getAddress().getPort(),
            Map.of(AwsSettings.POLL_INTERVAL_MILLIS, "0", AwsSettings.HELPER_IMAGE_ID, "ami-0helper"),
            Map.of(AwsSettings.ACCESS_KEY_ID, "AKIAFAKE000000000001", AwsSettings.SECRET_ACCESS_KEY, "fake"));
    return new AwsCloudPluginFactory().create(config, TestContexts.fixed(folder));
  }

  private void answer(String key, int status, String contentType, String body) {
    answer(key, status, contentType, Map.of(), body);
  }

  /** Queues an answer for {@code key}; the last one queued is repeated until another is queued. */
  private synchronized void answer(String key, int status, String contentType, Map<String, String> headers, String body) {
    if (repeating.remove(key)) {
      answers.get(key).clear();
    }
    answers.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Answer(status, contentType, headers, body));
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    for (String parameter : body.split("&")) {
      if (parameter.startsWith("Action=")) {
        key = parameter.substring("Action=".length());
      }
    }
    Answer answer;
    synchronized (this) {
      received.add(key);
      Deque<Answer> queue = answers.get(key);
      answer = queue == null || queue.isEmpty() ? null : queue.size() == 1 ? queue.peekFirst() : queue.removeFirst();
      if (queue != null && queue.size() == 1) {
        repeating.add(key);
      }
    }
    if (answer == null) {
      answer = new Answer(400, "text/xml", Map.of(), ec2Error("InvalidAction", "no canned answer for " + key));
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", answer.contentType());
    exchange.getResponseHeaders().add("x-amzn-RequestId", "fake-request");
    answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  private static String ec2Error(String code, String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>" + code + "</Code><Message>" + message
        + "</Message></Error></Errors><RequestID>fake-request</RequestID></Response>";
  }

  private static ErrorCode codeOf(Runnable action) {
    FerryException failure = catchThrowableOfType(FerryException.class, action::run);
    assertThat(failure).as("expected a FerryException").isNotNull();
    return failure.code();
  }
}
