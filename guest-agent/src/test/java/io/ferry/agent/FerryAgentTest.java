package io.ferry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.agent.internal.cli.Subcommands;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The agent's command tree: built lazily, yet the same tree a user sees in the help. */
class FerryAgentTest {

  @Test
  void everySubcommandIsRegisteredUnderTheNameOfItsCommandAnnotation() {
    assertNamesMatch(FerryAgent.subcommands());
    CommandLine image = FerryAgent.commandLine("--help").getSubcommands().get("image");
    assertThat(image.getSubcommands().keySet()).containsExactly("info", "convert", "compare");
    for (CommandLine sub : image.getSubcommands().values()) {
      assertThat(sub.getCommandSpec().userObject().getClass().getAnnotation(CommandLine.Command.class).name())
          .isEqualTo(sub.getCommandName());
    }
  }

  @Test
  void aRunBuildsOnlyTheSubcommandItsArgumentsName() {
    CommandLine convert = FerryAgent.commandLine("image", "convert", "-O", "qcow2", "a", "b");
    assertThat(convert.getSubcommands().keySet()).containsExactly("image");
    assertThat(convert.getSubcommands().get("image").getSubcommands().keySet())
        .containsExactly("convert");

    CommandLine detect = FerryAgent.commandLine("detect", "--root", "/");
    assertThat(detect.getSubcommands().keySet()).containsExactly("detect");
  }

  @Test
  void theHelpAndErrorsStillSeeEverySubcommand() {
    StringWriter out = new StringWriter();
    CommandLine help = FerryAgent.commandLine("--help");
    help.setOut(new PrintWriter(out, true));
    assertThat(help.execute("--help")).isZero();
    assertThat(out.toString())
        .contains("image", "detect", "strip", "inject", "undo", "daemon");

    StringWriter imageOut = new StringWriter();
    CommandLine imageHelp = FerryAgent.commandLine("image", "--help");
    imageHelp.setOut(new PrintWriter(imageOut, true));
    assertThat(imageHelp.execute("image", "--help")).isZero();
    assertThat(imageOut.toString()).contains("info", "convert", "compare");

    StringWriter err = new StringWriter();
    CommandLine typo = FerryAgent.commandLine("image", "conver");
    typo.setErr(new PrintWriter(err, true));
    assertThat(typo.execute("image", "conver")).isEqualTo(2);
    assertThat(err.toString()).contains("Did you mean").contains("convert");
  }

  private static void assertNamesMatch(Subcommands subcommands) {
    List<String> mismatched = new ArrayList<>();
    for (String name : subcommands.names()) {
      Object command = subcommands.make(name);
      Object userObject =
          command instanceof CommandLine line ? line.getCommandSpec().userObject() : command;
      String annotated = userObject.getClass().getAnnotation(CommandLine.Command.class).name();
      if (!annotated.equals(name)) {
        mismatched.add(name + " is @Command(name = \"" + annotated + "\")");
      }
    }
    assertThat(mismatched).isEmpty();
  }
}
