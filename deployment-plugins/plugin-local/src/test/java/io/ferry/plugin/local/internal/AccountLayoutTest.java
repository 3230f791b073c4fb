package io.ferry.plugin.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccountLayoutTest {

  private final AccountLayout layout = new AccountLayout(Path.of("/srv/cloud"));

  @Test
  void idsAreFileNamesInTheirFolder() {
    assertThat(layout.image("debian-12.qcow2")).isEqualTo(Path.of("/srv/cloud/images/debian-12.qcow2"));
    assertThat(layout.sidecar("debian-12.qcow2")).isEqualTo(Path.of("/srv/cloud/images/debian-12.qcow2.ferry.json"));
    assertThat(layout.volume("vol-a.raw")).isEqualTo(Path.of("/srv/cloud/volumes/vol-a.raw"));
    assertThat(layout.upload("job-a.tmp")).isEqualTo(Path.of("/srv/cloud/uploads/job-a.tmp"));
    assertThat(layout.helperLog("helper-a")).isEqualTo(Path.of("/srv/cloud/helpers/helper-a.log"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "..", ".", "../etc/passwd", "a/../../b", "/etc/passwd", "images/x", "a\\b", "x..y", ".hidden",
        "disk.raw.ferry.json", "disk.raw.ferry-partial", "disk.tar.gz.123.ferry-extract", "", " ", "a\u0000b", "a\nb"
      })
  void idsThatCouldEscapeOrHideAreRefused(String id) {
    assertThatThrownBy(() -> layout.image(id))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessageContaining("invalid image id");
  }

  @Test
  void overlongIdsAreRefused() {
    assertThatThrownBy(() -> layout.volume("v".repeat(201))).hasMessageContaining("longer than 200");
  }

  @Test
  void jobSlugIsReadableSafeAndDistinct() {
    assertThat(AccountLayout.jobSlug("Job 42/../x")).matches("job-42-x-[0-9a-f]{8}");
    assertThat(AccountLayout.jobSlug("%%%")).matches("job-[0-9a-f]{8}");
    assertThat(AccountLayout.jobSlug("job-1")).isNotEqualTo(AccountLayout.jobSlug("JOB-1"));
    assertThat(AccountLayout.jobSlug("x".repeat(100))).hasSize(40 + 1 + 8);
  }

  @Test
  void imageFileNamesExcludeSidecarsPartialsAndHiddenFiles() {
    assertThat(AccountLayout.isImageFileName("debian.qcow2")).isTrue();
    assertThat(AccountLayout.isImageFileName("debian.qcow2.ferry.json")).isFalse();
    assertThat(AccountLayout.isImageFileName("debian.qcow2.ferry-partial")).isFalse();
    assertThat(AccountLayout.isImageFileName(".debian.qcow2.1234.tmp")).isFalse();
    assertThat(AccountLayout.isImageFileName("debian.tar.gz.8812.ferry-extract")).isFalse();
  }
}
