package io.ferry.systemmanager.internal.web;

import java.io.IOException;

/** A request body grew past the limit while it was read. */
public class PayloadTooLargeException extends IOException {

  public PayloadTooLargeException(long limit) {
    super("the request body is larger than " + limit + " bytes");
  }
}
