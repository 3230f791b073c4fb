package io.ferry.systemmanager;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of DESIGN.md, checked on the production classes of every module (all of them
 * are on this module's test class path).
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() throws IOException {
    // Only the class path roots that hold io.ferry classes (every module's jar or classes folder).
    List<URL> roots = Collections.list(ArchitectureTest.class.getClassLoader().getResources("io/ferry"));
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importUrls(roots);
  }

  @Test
  void everyModuleIsImportedSoTheRulesAreNotVacuous() {
    assertThat(classes.contain("io.ferry.standardization.spi.CloudPlugin")).isTrue();
    assertThat(classes.contain("io.ferry.orchestrator.MigrationOrchestrator")).isTrue();
    assertThat(classes.contain("io.ferry.systemmanager.FerryServerApplication")).isTrue();
    assertThat(classes.contain("io.ferry.agent.FerryAgent")).isTrue();
    assertThat(classes.stream().anyMatch(type -> type.getPackageName().startsWith("io.ferry.plugin.local"))).isTrue();
  }

  @Test
  void cloudStandardizationDependsOnNoOtherModuleAndNotOnSpring() {
    noClasses().that().resideInAPackage("io.ferry.standardization..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.ferry.plugin..", "io.ferry.agent..", "io.ferry.orchestrator..", "io.ferry.systemmanager..",
            "org.springframework..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void pluginsDependOnlyOnTheCoreNotOnTheControlPlaneOrSpring() {
    noClasses().that().resideInAPackage("io.ferry.plugin..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.ferry.orchestrator..", "io.ferry.systemmanager..", "io.ferry.agent..", "org.springframework..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void orchestratorDependsNeitherOnTheSystemManagerNorOnPluginClassesNorOnSpringWeb() {
    noClasses().that().resideInAPackage("io.ferry.orchestrator..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.ferry.systemmanager..", "io.ferry.plugin..", "org.springframework.web..", "jakarta.servlet..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void guestAgentDependsNeitherOnTheControlPlaneNorOnSpring() {
    noClasses().that().resideInAPackage("io.ferry.agent..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.ferry.orchestrator..", "io.ferry.systemmanager..", "io.ferry.plugin..", "org.springframework..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void internalPackagesAreUsedOnlyInsideTheirOwnModule() {
    ArchRuleDefinition.classes().that().resideInAPackage("..internal..")
        .should(onlyBeAccessedFromTheirOwnModule())
        .allowEmptyShould(true)
        .check(classes);
  }

  /** The module of a class: {@code io.ferry.<module>} (plugins: {@code io.ferry.plugin.<cloud>}). */
  static String module(JavaClass type) {
    String[] parts = type.getPackageName().split("\\.");
    if (parts.length < 3) {
      return type.getPackageName();
    }
    if (parts[2].equals("plugin") && parts.length >= 4) {
      return "io.ferry.plugin." + parts[3];
    }
    return "io.ferry." + parts[2];
  }

  private static ArchCondition<JavaClass> onlyBeAccessedFromTheirOwnModule() {
    return new ArchCondition<>("only be accessed from their own module") {
      @Override
      public void check(JavaClass target, ConditionEvents events) {
        String module = module(target);
        target.getDirectDependenciesToSelf().stream()
            .filter(dependency -> dependency.getOriginClass().getPackageName().startsWith("io.ferry"))
            .filter(dependency -> !module(dependency.getOriginClass()).equals(module))
            .forEach(dependency -> events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription())));
      }
    };
  }

  @Test
  void systemManagerRestControllersLiveInItsInternalPackages() {
    ArchRuleDefinition.classes().that()
        .areAnnotatedWith(org.springframework.web.bind.annotation.RestController.class)
        .should().resideInAPackage("io.ferry.systemmanager.internal..")
        .check(classes);
  }

}
