package io.ferry.plugin.aws;

import io.ferry.plugin.aws.internal.AwsCloudPlugin;
import io.ferry.plugin.aws.internal.AwsSettings;
import io.ferry.plugin.aws.internal.Sleeper;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ConfigProperty;
import io.ferry.standardization.spi.PluginContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Amazon Web Services, id {@code aws}: AMIs read and written through the EBS direct APIs
 * (direct mode), helper instances and volumes through EC2 (helper mode), everything tagged with
 * {@code ferry:job-id}. An account's region is the AWS region; its endpoint, when set, overrides
 * every service's endpoint (a moto server in tests). Settings and secrets: {@link
 * #configProperties()}.
 */
public final class AwsCloudPluginFactory implements CloudPluginFactory {

  /** The plugin's id. */
  public static final String ID = "aws";

  private final List<ExecutionInterceptor> interceptors;

  /** The factory {@link java.util.ServiceLoader} creates. */
  public AwsCloudPluginFactory() {
    this(List.of());
  }

  /**
   * A factory whose plugins pass every SDK request through {@code interceptors} (request
   * recording in tests, diagnostics).
   */
  public AwsCloudPluginFactory(List<ExecutionInterceptor> interceptors) {
    this.interceptors = List.copyOf(interceptors);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Amazon Web Services";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.LIST_IMAGES,
        Capability.EXPORT_IMAGE,
        Capability.DIRECT_UPLOAD,
        Capability.HELPER_MODE,
        Capability.REGISTER_IMAGE,
        Capability.PRICES);
  }

  @Override
  public List<ConfigProperty> configProperties() {
    return AwsSettings.PROPERTIES;
  }

  @Override
  public CloudPlugin create(CloudAccountConfig config, PluginContext context) {
    return new AwsCloudPlugin(AwsSettings.parse(config), context, interceptors, Sleeper.SYSTEM);
  }
}
