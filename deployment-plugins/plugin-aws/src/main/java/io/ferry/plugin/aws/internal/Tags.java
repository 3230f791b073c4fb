package io.ferry.plugin.aws.internal;

import io.ferry.standardization.spi.JobTag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** EC2 tags of Ferry's resources. */
public final class Tags {

  /** The tag naming the operating system of an image Ferry registered. */
  public static final String OS_NAME = "ferry:os-name";
  /** The tag naming the cloud layer an image carries. */
  public static final String CLOUD_LAYER = "ferry:cloud-layer";

  private Tags() {}

  /** A tag specification for {@code type}: the job tag plus {@code extra}. */
  public static TagSpecification specification(ResourceType type, JobTag tag, Map<String, String> extra) {
    return TagSpecification.builder().resourceType(type).tags(tags(tag, extra)).build();
  }

  /** The job tag plus {@code extra} as EC2 tags. */
  public static List<Tag> tags(JobTag tag, Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(extra);
    all.put(JobTag.KEY, tag.jobId());
    List<Tag> tags = new ArrayList<>();
    all.forEach((key, value) -> tags.add(Tag.builder().key(key).value(value).build()));
    return tags;
  }

  /** The filter that finds resources of job {@code tag}. */
  public static Filter jobFilter(JobTag tag) {
    return Filter.builder().name("tag:" + JobTag.KEY).values(tag.jobId()).build();
  }

  /** EC2 tags as a map. */
  public static Map<String, String> toMap(List<Tag> tags) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Tag tag : tags) {
      map.put(tag.key(), tag.value());
    }
    return map;
  }
}
