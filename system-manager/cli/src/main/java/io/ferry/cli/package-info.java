/** The Ferry command line ({@code ferry}): its entry point. */
package io.ferry.cli;
