package io.ferry.agent.internal.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * Subcommands a run registers only when it needs them. Picocli builds a command's model by
 * reflection when the command is added, which for the agent's whole tree takes about 0.2 s on a
 * cold JVM, as long as a whole {@code image convert} of a small disk. So a run adds just the
 * subcommand its arguments name, and every subcommand only when they name none (the help then
 * lists them all, and an unknown name gets picocli's usual error with suggestions).
 */
public final class Subcommands {

  private final Map<String, Supplier<Object>> commands = new LinkedHashMap<>();

  /**
   * Adds a subcommand {@code name}, made by {@code command} only when needed: a picocli command
   * object or a {@link CommandLine}. The name must be the one in its {@code @Command}.
   */
  public Subcommands add(String name, Supplier<Object> command) {
    if (commands.putIfAbsent(name, command) != null) {
      throw new IllegalArgumentException("subcommand " + name + " is added twice");
    }
    return this;
  }

  /** The names, in the order added. */
  public Iterable<String> names() {
    return commands.keySet();
  }

  /** Makes the subcommand {@code name}; it must have been added. */
  public Object make(String name) {
    Supplier<Object> command = commands.get(name);
    if (command == null) {
      throw new IllegalArgumentException("no subcommand " + name);
    }
    return command.get();
  }

  /**
   * Registers on {@code parent} the subcommand {@code args[depth]} names when it is one of these,
   * otherwise all of them; returns {@code parent}.
   */
  public CommandLine registerOn(CommandLine parent, String[] args, int depth) {
    String named = args.length > depth ? args[depth] : null;
    if (named != null && commands.containsKey(named)) {
      parent.addSubcommand(named, make(named));
      return parent;
    }
    commands.forEach((name, command) -> parent.addSubcommand(name, command.get()));
    return parent;
  }
}
