/** Internal to the guest agent: the picocli commands. Not an API. */
package io.ferry.agent.internal.cli;
