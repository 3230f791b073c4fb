package io.ferry.plugin.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Records every request Ferry sends through the SDK, with the body of requests that carry one
 * (PutSnapshotBlock), so tests can check what moto does not: checksums, flags, tags.
 */
final class RequestRecorder implements ExecutionInterceptor {

  /** One recorded request and its body (empty when it had none). */
  record Recorded(SdkRequest request, byte[] body) {}

  private final List<Recorded> recorded = new ArrayList<>();

  @Override
  public void afterMarshalling(Context.AfterMarshalling context, ExecutionAttributes attributes) {
    byte[] body = new byte[0];
    if (context.request().getClass().getSimpleName().equals("PutSnapshotBlockRequest") && context.requestBody().isPresent()) {
      RequestBody requestBody = context.requestBody().get();
      try (InputStream in = requestBody.contentStreamProvider().newStream()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    synchronized (recorded) {
      recorded.add(new Recorded(context.request(), body));
    }
  }

  /** The recorded requests of type {@code type}, in the order they were sent. */
  <T extends SdkRequest> List<T> requests(Class<T> type) {
    List<T> found = new ArrayList<>();
    for (Recorded entry : all()) {
      if (type.isInstance(entry.request())) {
        found.add(type.cast(entry.request()));
      }
    }
    return found;
  }

  /** Everything recorded so far. */
  List<Recorded> all() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  /** Forgets everything recorded. */
  void clear() {
    synchronized (recorded) {
      recorded.clear();
    }
  }
}
