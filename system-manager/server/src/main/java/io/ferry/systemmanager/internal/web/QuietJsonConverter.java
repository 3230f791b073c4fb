package io.ferry.systemmanager.internal.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Type;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;

/**
 * The JSON converter, with parse errors that never quote the request body. Jackson's messages
 * repeat the offending token ("Unrecognized token 'hunter2'"), and Spring logs them at debug
 * level; a credential sent unquoted by mistake would end up in the log. The message here names
 * only the line and column; the original exception stays as the cause for the error handler.
 */
public class QuietJsonConverter extends MappingJackson2HttpMessageConverter {

  public QuietJsonConverter(ObjectMapper objectMapper) {
    super(objectMapper);
  }

  @Override
  public Object read(Type type, Class<?> contextClass, HttpInputMessage inputMessage) throws IOException {
    try {
      return super.read(type, contextClass, inputMessage);
    } catch (HttpMessageNotReadableException e) {
      throw quiet(e, inputMessage);
    }
  }

  @Override
  protected Object readInternal(Class<?> type, HttpInputMessage inputMessage) throws IOException {
    try {
      return super.readInternal(type, inputMessage);
    } catch (HttpMessageNotReadableException e) {
      throw quiet(e, inputMessage);
    }
  }

  private static HttpMessageNotReadableException quiet(HttpMessageNotReadableException e, HttpInputMessage input) {
    StringBuilder message = new StringBuilder("JSON parse error");
    if (e.getCause() instanceof JsonProcessingException json) {
      JsonLocation location = json.getLocation();
      if (location != null && location.getLineNr() > 0) {
        message.append(" at line ").append(location.getLineNr()).append(", column ").append(location.getColumnNr());
      }
    }
    return new HttpMessageNotReadableException(message.toString(), e.getCause(), input);
  }
}
