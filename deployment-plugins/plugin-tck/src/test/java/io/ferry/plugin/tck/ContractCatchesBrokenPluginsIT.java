package io.ferry.plugin.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the contract against the in-memory fake and against variants broken in one way each, and
 * checks that the contract passes the first and fails (or explicitly skips) the others where it
 * should: the contract test's own test.
 */
class ContractCatchesBrokenPluginsIT {

  /**
   * The broken variants' factories are not registered with the ServiceLoader (only the correct
   * one is), so this contract fails for each of them, rightly.
   */
  private static final String UNREGISTERED = "factoryIsFoundThroughTheServiceLoader";

  /** Outcome per test method: status and the failure's or skip's message. */
  private record Outcome(Status status, String message) {}

  @Test
  void correctPluginPassesEveryContract() {
    Map<String, Outcome> outcomes = run(InMemoryPluginContract.class);

    assertThat(outcomes).hasSizeGreaterThanOrEqualTo(20);
    assertThat(outcomes).allSatisfy((test, outcome) -> assertThat(outcome.status()).as(test + ": " + outcome.message()).isEqualTo(Status.SUCCESSFUL));
  }

  @Test
  void leakedVolumesFailTheNothingLeakedCheck() {
    Map<String, Outcome> outcomes = run(BrokenPluginContracts.LeaksVolumes.class);

    Outcome outcome = outcomes.get("deleteTaggedTerminatesHelpersAndDeletesVolumes");
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.message()).contains("volume:");
    assertThat(outcomes.get("deleteTaggedRemovesEverythingButKeptImagesAndIsIdempotent").status()).isEqualTo(Status.FAILED);
    assertThat(outcomes.get("exportReadsTheExactBytesOfTheImage").status()).isEqualTo(Status.SUCCESSFUL);
  }

  @Test
  void acceptingUnknownSettingsFailsTheConfigurationContract() {
    Map<String, Outcome> outcomes = run(BrokenPluginContracts.AcceptsUnknownSettings.class);

    assertThat(outcomes.get("unknownSettingIsRefused").status()).isEqualTo(Status.FAILED);
    assertThat(outcomes.get("unknownSettingIsRefused").message()).contains(CloudPluginContractTest.UNKNOWN_KEY);
    assertThat(failed(outcomes)).containsExactlyInAnyOrder("unknownSettingIsRefused", UNREGISTERED);
  }

  @Test
  void undeclaredCapabilitiesAreSkippedWithAMessage() {
    Map<String, Outcome> outcomes = run(BrokenPluginContracts.ListsAndExportsOnly.class);

    assertThat(outcomes.get("helperIsLaunchedGetsAVolumeAndIsTerminated"))
        .isEqualTo(new Outcome(Status.ABORTED, "Assumption failed: plugin in-memory does not declare HELPER_MODE"));
    assertThat(outcomes.get("uploadedAndRegisteredImageIsListedAndReadsBackIdentical"))
        .isEqualTo(new Outcome(Status.ABORTED, "Assumption failed: plugin in-memory does not declare DIRECT_UPLOAD"));
    assertThat(outcomes.get("pricesAreNonNegative").status()).isEqualTo(Status.ABORTED);
    assertThat(outcomes.get("seededImageIsListedWithItsFacts").status()).isEqualTo(Status.SUCCESSFUL);
    assertThat(failed(outcomes)).containsExactly(UNREGISTERED);
  }

  private static List<String> failed(Map<String, Outcome> outcomes) {
    return outcomes.entrySet().stream().filter(entry -> entry.getValue().status() == Status.FAILED).map(Map.Entry::getKey).toList();
  }

  private static Map<String, Outcome> run(Class<?> contract) {
    Map<String, Outcome> outcomes = new TreeMap<>();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
            if (identifier.getSource().orElse(null) instanceof MethodSource method) {
              String message = result.getThrowable().map(Throwable::getMessage).orElse(null);
              outcomes.put(method.getMethodName(), new Outcome(result.getStatus(), message));
            }
          }
        };
    LauncherFactory.create()
        .execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(contract)).build(), listener);
    return outcomes;
  }
}
