package io.ferry.systemmanager.internal.billing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BillingControllerTest {

  @Test
  void csvFieldsAreQuotedWhenNeededAndFormulasAreNeutralised() {
    assertThat(BillingController.quote("alice")).isEqualTo("alice");
    assertThat(BillingController.quote("a,b")).isEqualTo("\"a,b\"");
    assertThat(BillingController.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(BillingController.quote("=cmd()")).isEqualTo("'=cmd()");
    assertThat(BillingController.quote(null)).isEmpty();
  }
}
