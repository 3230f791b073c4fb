package io.ferry.agent.internal.cli;

import io.ferry.agent.layer.Change;
import io.ferry.agent.layer.ChangeReport;
import io.ferry.agent.layer.LayerAgent;
import io.ferry.agent.layer.SystemDescription;
import java.io.PrintWriter;

/** Prints reports as JSON for machines or as text for people. */
final class Printer {

  private Printer() {}

  static void print(PrintWriter out, Object value, boolean json) throws java.io.IOException {
    if (json) {
      out.println(LayerAgent.json().writeValueAsString(value));
    } else if (value instanceof ChangeReport report) {
      text(out, report);
    } else if (value instanceof SystemDescription description) {
      text(out, description);
    } else {
      out.println(value);
    }
    out.flush();
  }

  private static void text(PrintWriter out, SystemDescription d) {
    var os = d.os();
    out.printf("OS:              %s (id=%s, family=%s, version=%s)%s%n", os.prettyName(), os.id(), os.family(),
        os.versionId(), os.supported() ? "" : "  NOT SUPPORTED");
    out.printf("package manager: %s%ninit system:     %s%nboot mode:       %s%narchitecture:    %s%nkernels:         %s%n",
        d.packageManager(), d.initSystem(), d.bootMode(), d.architecture(), d.kernels());
    out.printf("cloud-init:      %s, datasource_list %s%s%n", d.cloudInit().installed() ? "installed" : "not installed",
        d.cloudInit().datasourceList(),
        d.cloudInit().datasourceListFile() == null ? "" : " (" + d.cloudInit().datasourceListFile() + ")");
    for (var agent : d.agents()) {
      out.printf("agent:           %s %s %s %s%n", agent.cloud(), agent.packageName(),
          agent.installed() ? "installed" : "not installed", agent.units());
    }
    out.printf("cloud layers:    %s%n", d.presentLayers().isEmpty() ? "none" : d.presentLayers());
    for (var layer : d.layers()) {
      for (String signal : layer.signals()) {
        out.printf("  %-10s %s%n", layer.cloud(), signal);
      }
    }
    d.notes().forEach(n -> out.println("note: " + n));
  }

  private static void text(PrintWriter out, ChangeReport report) {
    out.printf("%s %s%s: %d change(s)%n", report.operation(), report.cloud(), report.dryRun() ? " (dry run, nothing changed)" : "",
        report.changes().size());
    for (Change change : report.changes()) {
      String detail = change.linkTargetAfter() != null ? " -> " + change.linkTargetAfter()
          : change.linkTargetBefore() != null ? " (was -> " + change.linkTargetBefore() + ")" : "";
      out.printf("  %-17s %s%s   [%s]%n", change.action(), change.path(), detail, change.reason());
    }
    for (var regeneration : report.regenerations()) {
      out.printf("regenerated: `%s` %s in %.1f s   [%s]%n", regeneration.command(),
          regeneration.succeeded() ? "succeeded" : "FAILED (exit " + regeneration.exitStatus() + ")",
          regeneration.seconds(), regeneration.reason());
    }
    if (report.backupArea() != null) {
      out.println("backup area: " + report.backupArea() + " (ferry-agent undo restores it)");
    }
    if (report.secretsDeleted() > 0) {
      out.println(report.secretsDeleted() + " secret(s) deleted. " + report.secretPolicy());
    }
    report.notes().forEach(n -> out.println("note: " + n));
  }
}
