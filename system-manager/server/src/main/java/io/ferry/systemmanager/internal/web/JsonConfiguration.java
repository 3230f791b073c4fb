package io.ferry.systemmanager.internal.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;

/** Replaces Spring Boot's JSON converter with {@link QuietJsonConverter} (same ObjectMapper). */
@Configuration(proxyBeanMethods = false)
public class JsonConfiguration {

  @Bean
  MappingJackson2HttpMessageConverter mappingJackson2HttpMessageConverter(ObjectMapper objectMapper) {
    return new QuietJsonConverter(objectMapper);
  }
}
