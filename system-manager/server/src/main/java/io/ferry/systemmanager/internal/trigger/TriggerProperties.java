package io.ferry.systemmanager.internal.trigger;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ferry.triggers}: how triggers are evaluated.
 *
 * @param enabled whether this process runs the trigger scheduler (tests turn it off and drive rounds with a clock)
 * @param interval the pause between two rounds (a round refreshes the watched accounts' catalogues)
 * @param pollingInterval how often this process looks for a due round
 */
@ConfigurationProperties("ferry.triggers")
public record TriggerProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("60s") Duration interval,
    @DefaultValue("10s") Duration pollingInterval) {}
