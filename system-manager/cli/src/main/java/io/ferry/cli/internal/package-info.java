/** Internal to the command line: commands, the API client and output; not an API for other modules. */
package io.ferry.cli.internal;
