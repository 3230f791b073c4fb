package io.ferry.plugin.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {

  @Test
  void errorCodesMapToFerryCodes() {
    assertCode("AuthFailure", 401, ErrorCode.CLOUD_AUTHENTICATION_FAILED);
    assertCode("InvalidClientTokenId", 403, ErrorCode.CLOUD_AUTHENTICATION_FAILED);
    assertCode("SignatureDoesNotMatch", 403, ErrorCode.CLOUD_AUTHENTICATION_FAILED);
    assertCode("UnauthorizedOperation", 403, ErrorCode.CLOUD_PERMISSION_DENIED);
    assertCode("AccessDenied", 403, ErrorCode.CLOUD_PERMISSION_DENIED);
    assertCode("AccessDeniedException", 403, ErrorCode.CLOUD_PERMISSION_DENIED);
    assertCode("InstanceLimitExceeded", 400, ErrorCode.CLOUD_QUOTA_EXCEEDED);
    assertCode("VolumeLimitExceeded", 400, ErrorCode.CLOUD_QUOTA_EXCEEDED);
    assertCode("SnapshotLimitExceeded", 400, ErrorCode.CLOUD_QUOTA_EXCEEDED);
    assertCode("ServiceQuotaExceededException", 402, ErrorCode.CLOUD_QUOTA_EXCEEDED);
    assertCode("RequestLimitExceeded", 503, ErrorCode.CLOUD_THROTTLED);
    assertCode("RequestThrottledException", 400, ErrorCode.CLOUD_THROTTLED);
    assertCode("ConcurrentLimitExceededException", 400, ErrorCode.CLOUD_THROTTLED);
    assertCode("InvalidAMIID.NotFound", 400, ErrorCode.NOT_FOUND);
    assertCode("InvalidAMIID.Malformed", 400, ErrorCode.NOT_FOUND);
    assertCode("InvalidAMIID.Unavailable", 400, ErrorCode.NOT_FOUND);
    assertCode("InvalidSnapshot.NotFound", 400, ErrorCode.NOT_FOUND);
    assertCode("ResourceNotFoundException", 404, ErrorCode.NOT_FOUND);
    assertCode("InternalError", 500, ErrorCode.CLOUD_UNAVAILABLE);
    assertCode(null, 503, ErrorCode.CLOUD_UNAVAILABLE);
    assertCode(null, 429, ErrorCode.CLOUD_THROTTLED);
    assertCode("InvalidParameterValue", 400, ErrorCode.CLOUD_REQUEST_REJECTED);
  }

  @Test
  void retryableIsDecidedByTheCode() {
    assertThat(AwsErrors.translate("PutSnapshotBlock", FakeEbs.error("ThrottlingException", 400)).retryable()).isTrue();
    assertThat(AwsErrors.translate("PutSnapshotBlock", FakeEbs.error("InternalServerException", 500)).retryable()).isTrue();
    assertThat(AwsErrors.translate("RegisterImage", FakeEbs.error("AuthFailure", 401)).retryable()).isFalse();
  }

  @Test
  void messagesNameTheOperationTheCodeAndAHint() {
    FerryException failure = AwsErrors.translate("DescribeImages", FakeEbs.error("AuthFailure", 401));
    assertThat(failure.getMessage()).contains("DescribeImages").contains("AuthFailure").contains("access key id");
    FerryException unreachable = AwsErrors.translate("DescribeImages", SdkClientException.create("Connection refused"));
    assertThat(unreachable.code()).isEqualTo(ErrorCode.CLOUD_UNAVAILABLE);
    assertThat(unreachable.getMessage()).contains("not reachable");
  }

  private static void assertCode(String code, int status, ErrorCode expected) {
    assertThat(AwsErrors.codeFor(code, status, false)).as("%s (HTTP %d)", code, status).isEqualTo(expected);
  }
}
