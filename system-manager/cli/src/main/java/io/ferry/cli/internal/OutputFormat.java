package io.ferry.cli.internal;

/** How results are printed. */
enum OutputFormat {
  text,
  json
}
