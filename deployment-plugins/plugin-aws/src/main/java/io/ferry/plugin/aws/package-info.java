/**
 * The AWS cloud plugin, id {@code aws}: AMIs read and written block by block through the EBS
 * direct APIs, helper mode through EC2, cleanup by the {@code ferry:job-id} tag. Only {@link
 * io.ferry.plugin.aws.AwsCloudPluginFactory} is public; see the module's README for settings.
 */
package io.ferry.plugin.aws;
