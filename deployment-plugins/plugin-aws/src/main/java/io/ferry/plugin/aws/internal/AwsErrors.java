package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place where AWS failures become {@link FerryException}s: the AWS error code decides
 * the {@link ErrorCode}, and with it whether the orchestrator retries.
 */
public final class AwsErrors {

  private static final Set<String> AUTHENTICATION =
      Set.of(
          "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
          "InvalidAccessKeyId", "IncompleteSignature", "MissingAuthenticationToken", "ExpiredToken",
          "ExpiredTokenException", "InvalidToken", "InvalidSignatureException");
  private static final Set<String> PERMISSION =
      Set.of("UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "OptInRequired", "Blocked");
  private static final Set<String> THROTTLING =
      Set.of(
          "Throttling", "ThrottlingException", "RequestLimitExceeded", "RequestThrottledException",
          "TooManyRequestsException", "SlowDown", "ConcurrentLimitExceededException", "RequestThrottled");
  private static final Set<String> NOT_FOUND =
      Set.of(
          "InvalidSnapshot.NotFound", "InvalidSnapshotID.Malformed", "InvalidVolume.NotFound",
          "InvalidVolumeID.Malformed", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed",
          "ResourceNotFoundException", "NoSuchEntity");
  private static final Set<String> QUOTA = Set.of("ServiceQuotaExceededException", "VcpuLimitExceeded");
  private static final Set<String> UNAVAILABLE =
      Set.of("InsufficientInstanceCapacity", "InternalError", "InternalServerException", "ServiceUnavailable", "Unavailable");

  private AwsErrors() {}

  /** Runs {@code call}, translating AWS failures for {@code operation}. */
  public static <T> T call(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw translate(operation, e);
    }
  }

  /** Runs {@code call}, translating AWS failures for {@code operation}. */
  public static void run(String operation, Runnable call) {
    try {
      call.run();
    } catch (SdkException e) {
      throw translate(operation, e);
    }
  }

  /** The Ferry failure for an AWS failure of {@code operation}. */
  public static FerryException translate(String operation, SdkException failure) {
    return translate(operation, failure, null);
  }

  /**
   * The Ferry failure for an AWS failure of {@code operation}, with {@code override} as its code
   * when not null (a caller that knows more, such as STS GetCallerIdentity, which needs no
   * permission: any 403 there means the credentials were refused).
   */
  public static FerryException translate(String operation, SdkException failure, ErrorCode override) {
    if (failure instanceof AwsServiceException service) {
      String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
      String detail = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
      ErrorCode errorCode = override != null ? override : codeFor(code, service.statusCode(), service.isThrottlingException());
      String message =
          "AWS " + operation + " failed: " + (code == null ? "HTTP " + service.statusCode() : code)
              + (detail == null ? "" : ": " + detail)
              + " (HTTP " + service.statusCode()
              + (service.requestId() == null ? "" : ", request " + service.requestId()) + ")"
              + hint(errorCode);
      return new FerryException(errorCode, message, failure);
    }
    if (failure instanceof SdkClientException) {
      return new FerryException(
          ErrorCode.CLOUD_UNAVAILABLE, "AWS " + operation + " failed, AWS was not reachable: " + failure.getMessage(), failure);
    }
    return new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "AWS " + operation + " failed: " + failure.getMessage(), failure);
  }

  /** The error code for an AWS error code and HTTP status. */
  static ErrorCode codeFor(String code, int status, boolean throttling) {
    if (code != null) {
      if (AUTHENTICATION.contains(code)) {
        return ErrorCode.CLOUD_AUTHENTICATION_FAILED;
      }
      if (PERMISSION.contains(code)) {
        return ErrorCode.CLOUD_PERMISSION_DENIED;
      }
      if (THROTTLING.contains(code)) {
        return ErrorCode.CLOUD_THROTTLED;
      }
      if (code.startsWith("InvalidAMIID.") || NOT_FOUND.contains(code)) {
        return ErrorCode.NOT_FOUND;
      }
      if (code.endsWith("LimitExceeded") || QUOTA.contains(code)) {
        return ErrorCode.CLOUD_QUOTA_EXCEEDED;
      }
      if (UNAVAILABLE.contains(code)) {
        return ErrorCode.CLOUD_UNAVAILABLE;
      }
    }
    if (throttling || status == 429) {
      return ErrorCode.CLOUD_THROTTLED;
    }
    if (status >= 500 || status == 0) {
      return ErrorCode.CLOUD_UNAVAILABLE;
    }
    if (status == 401) {
      return ErrorCode.CLOUD_AUTHENTICATION_FAILED;
    }
    if (status == 403) {
      return ErrorCode.CLOUD_PERMISSION_DENIED;
    }
    if (status == 404) {
      return ErrorCode.NOT_FOUND;
    }
    return ErrorCode.CLOUD_REQUEST_REJECTED;
  }

  private static String hint(ErrorCode code) {
    return switch (code) {
      case CLOUD_AUTHENTICATION_FAILED -> "; check the account's access key id and secret access key";
      case CLOUD_PERMISSION_DENIED -> "; the credentials work but lack this permission (see the plugin README for the IAM policy)";
      case CLOUD_QUOTA_EXCEEDED -> "; a service quota of the account is exhausted";
      default -> "";
    };
  }
}
